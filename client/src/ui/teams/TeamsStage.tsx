// The meeting stage (/teams/stage): the Lab display's view (the main board fitted, the big
// timer, the agenda item) for everyone in the call. Each person's stage is their own
// client, joined like the side panel: those who may edit the board can edit it here.

import { useEffect, useMemo } from 'preact/hooks'
import { useI18n } from '../../i18n'
import { currentItem, itemTitle } from '../../lib/control'
import { takeFacilitatorToken } from '../../lib/store'
import { visibleTimer } from '../../lib/timer'
import { Board } from '../board'
import { ConnectionBanner } from '../common'
import { useBoard, useControl } from '../hooks'
import { CodeGate } from '../JoinPage'
import { colorFor, writable } from '../SessionPage'
import { TimerView } from '../Widgets'
import { TeamsProblem, TeamsWaiting } from './TeamsSide'
import { tabSession, useSeat, useTeams } from './useTeams'

export function TeamsStage() {
  const { t } = useI18n()
  const tab = tabSession()
  const teams = useTeams()
  if (!tab) return <TeamsProblem text={t('teams.noSession')} />
  if (teams.state === 'browser') return <CodeGate code={tab.code} />
  if (teams.state === 'asking') return <TeamsWaiting />
  return <StageSeat sessionId={tab.sessionId} code={tab.code} name={teams.context.userName} />
}

function StageSeat(props: { sessionId: string; code: string; name: string }) {
  const seat = useSeat(props.sessionId, props.code, props.name)
  if (seat === null) return <TeamsWaiting />
  if (seat.role === 'none') return <CodeGate code={props.code} />
  if (seat.role === 'facilitator') {
    const token = takeFacilitatorToken(props.sessionId)
    return <Stage sessionId={props.sessionId} token={token} me={{ id: `f-${props.sessionId}`, name: props.name }} facilitator />
  }
  return <Stage sessionId={props.sessionId} token={seat.creds.token} me={{ id: seat.creds.participant_id, name: seat.creds.name }} facilitator={false} />
}

function Stage(props: { sessionId: string; token: string | null; me: { id: string; name: string }; facilitator: boolean }) {
  const { t, lang } = useI18n()
  const { sessionId, token, me } = props
  const presence = useMemo(
    () => ({ id: me.id, name: me.name, role: props.facilitator ? 'facilitator' : 'participant', color: colorFor(me.id) }),
    [me.id, me.name],
  )
  const control = useControl(sessionId, token, presence)
  const st = control.state
  const board = 'main'
  const main = useBoard(sessionId, board, token, presence)
  const item = currentItem(st.agenda)
  const canEdit = writable(st, board, props.facilitator || st.roster[me.id]?.role === 'facilitator', null)

  useEffect(() => {
    document.title = `${st.session.title || 'Paja'} · ${t('teams.stage')}`
  }, [st.session.title, lang])

  return (
    <div class="display-page teams-stage">
      <header class="display-head">
        <h1>{st.session.title || '…'}</h1>
        {item && (
          <p class="display-item" data-testid="display-agenda">
            <span class="agenda-step">{t('agenda.step', { n: st.agenda.items.indexOf(item) + 1, total: st.agenda.items.length })}</span>
            <span class="agenda-title">{itemTitle(item, lang)}</span>
          </p>
        )}
      </header>
      <ConnectionBanner view={control.health.banner ? control.health : main.health} />
      <div class="display-body">
        <main class="display-board">
          {main.model && (
            <Board model={main.model} conn={main.conn} me={me} label={t('board.label', { board: t('board.main') })} readOnly={!canEdit} display={!canEdit} />
          )}
        </main>
        <aside class="display-side">
          <TimerView timer={visibleTimer(st.timers, null)} agenda={st.agenda} big />
          {item?.instructions && <p class="display-instructions">{item.instructions}</p>}
        </aside>
      </div>
    </div>
  )
}
