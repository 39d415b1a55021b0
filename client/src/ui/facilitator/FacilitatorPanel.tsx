// The facilitator's side panel for a tab: one panel per control, each in its own file. Each
// control is a REST command (docs/api.md); its result reaches every screen through the
// `control` document, so no panel keeps its own copy of the session's state.

import { AgendaPanel } from './AgendaPanel'
import { BoardsPanel } from './BoardsPanel'
import { BreakoutPanel } from './BreakoutPanel'
import type { FacilitatorCtx } from './ctx'
import { PeopleAdmin } from './PeopleAdmin'
import { PollPanel } from './PollPanel'
import { PrivatePanel } from './PrivatePanel'
import { SessionAdmin } from './SessionAdmin'
import { SharePanel } from './SharePanel'
import { TimerPanel } from './TimerPanel'
import { VotePanel } from './VotePanel'

/** The facilitator's panel for `tab`, or nothing for a tab whose panel the page draws. */
export function FacilitatorPanel({ tab, ctx }: { tab: string; ctx: FacilitatorCtx }) {
  switch (tab) {
    case 'share':
      return <SharePanel ctx={ctx} />
    case 'agenda':
      return <AgendaPanel ctx={ctx} />
    case 'timer':
      return <TimerPanel ctx={ctx} />
    case 'breakouts':
      return <BreakoutPanel ctx={ctx} />
    case 'vote':
      return <VotePanel ctx={ctx} />
    case 'poll':
      return <PollPanel ctx={ctx} />
    case 'private':
      return <PrivatePanel ctx={ctx} />
    case 'boards':
      return <BoardsPanel ctx={ctx} />
    case 'people':
      return <PeopleAdmin ctx={ctx} />
    case 'admin':
      return <SessionAdmin ctx={ctx} />
    default:
      return null
  }
}
