// The meeting side panel (/teams/side): the participant's page in 320 px, joined with the
// name Teams gives; a facilitator who configured the tab on this device gets the controls.
// "Share to stage" puts the board on the meeting stage for everyone in the call.

import { useState } from 'preact/hooks'
import { useI18n } from '../../i18n'
import { ErrorText, PageFrame } from '../common'
import { CodeGate } from '../JoinPage'
import { SessionPage } from '../SessionPage'
import { tabSession, useSeat, useTeams } from './useTeams'

export function TeamsSide() {
  const { t } = useI18n()
  const tab = tabSession()
  const teams = useTeams()
  if (!tab) return <TeamsProblem text={t('teams.noSession')} />
  // outside Teams this is the join code's own page, as in any browser
  if (teams.state === 'browser') return <CodeGate code={tab.code} />
  if (teams.state === 'asking') return <TeamsWaiting />
  return <SidePanel sessionId={tab.sessionId} code={tab.code} name={teams.context.userName} share={teams.host.shareToStage} />
}

function SidePanel(props: { sessionId: string; code: string; name: string; share: (url: string) => Promise<void> }) {
  const { t } = useI18n()
  const seat = useSeat(props.sessionId, props.code, props.name)
  const [shareError, setShareError] = useState<string | null>(null)
  if (seat === null) return <TeamsWaiting />
  if (seat.role === 'none') return <CodeGate code={props.code} />
  const stageUrl = `${location.origin}/teams/stage?${new URLSearchParams({ session: props.sessionId, join: props.code })}`
  return (
    <div class="teams-side">
      <div class="teams-bar">
        <p>{t('teams.signedIn', { name: seat.role === 'participant' ? seat.creds.name : props.name })}</p>
        <button
          type="button"
          class="small"
          onClick={() => {
            setShareError(null)
            props.share(stageUrl).catch((err: Error) => setShareError(t('teams.shareFailed', { detail: err.message })))
          }}
        >
          {t('teams.share')}
        </button>
      </div>
      <ErrorText error={shareError} />
      {seat.role === 'facilitator' ? (
        <SessionPage sessionId={props.sessionId} role="facilitator" />
      ) : (
        <SessionPage sessionId={props.sessionId} role="participant" participant={seat.creds} />
      )}
    </div>
  )
}

export function TeamsWaiting() {
  const { t } = useI18n()
  return (
    <main class="page narrow">
      <p class="lead" role="status">
        {t('teams.connecting')}
      </p>
    </main>
  )
}

export function TeamsProblem({ text }: { text: string }) {
  const { t } = useI18n()
  return (
    <PageFrame title={t('teams.title')}>
      <ErrorText error={text} />
    </PageFrame>
  )
}
