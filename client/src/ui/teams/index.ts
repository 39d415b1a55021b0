// Paja as a Teams meeting app: the tab's configuration page, the side panel and the stage.
import './teams.css'

export { TeamsConfig } from './TeamsConfig'
export { TeamsSide } from './TeamsSide'
export { TeamsStage } from './TeamsStage'
