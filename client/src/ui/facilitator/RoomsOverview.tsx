// Every room of a round at once, for the facilitator: who is in each and online, edits in
// the last minute, notes, a live thumbnail of its board, calls for help first. One click
// enters a room; a message reaches every room; a room can be given more time alone. After
// the round the same view shows what each room wrote, for the harvest. The facts are polled
// (lib/overview.ts); the round itself (help calls, members, time) is live from `control`.

import { useState } from 'preact/hooks'
import { type Key, useT } from '../../i18n'
import type { Room, Round } from '../../lib/control'
import { type RoomFacts, useOverview } from '../../lib/overview'
import { formatClock } from '../../lib/timer'
import { Dialog } from '../common'
import { useServerNow } from '../hooks'
import { type FacilitatorCtx, useBoardTitle } from './ctx'
import { RoomThumbnail } from './RoomThumbnail'

export function RoomsOverview(props: {
  round: Round
  ctx: FacilitatorCtx
  busy: boolean
  onClose: () => void
  onBroadcast: (text: string) => Promise<unknown>
  onMoreTime: (room: string, ms: number) => void
  onClearHelp: (room: string) => void
}) {
  const t = useT()
  const { round, ctx } = props
  const { overview, failed } = useOverview(ctx.sessionId, ctx.token, round.id)
  const [message, setMessage] = useState('')
  const now = useServerNow(1000, round.state === 'open' || round.state === 'closing')
  const boardTitle = useBoardTitle()
  const facts = new Map((overview?.rooms ?? []).map((r) => [r.board, r]))
  // Calls for help first, the longest waiting first: from the live round, not the last poll.
  const rooms = [...round.rooms].sort((a, b) => (a.help_requested_at ?? Infinity) - (b.help_requested_at ?? Infinity))
  const live = round.state === 'open' || round.state === 'closing'
  const people = round.rooms.reduce((n, r) => n + r.members.length, 0)
  const online = (overview?.rooms ?? []).reduce((n, r) => n + r.online.filter((p) => r.members.includes(p)).length, 0)
  const enter = (board: string) => {
    ctx.goTo(board)
    props.onClose()
  }
  const ends = round.state === 'closing' ? round.closes_at : round.ends_at
  return (
    <Dialog title={t('overview.title', { n: round.number })} onClose={props.onClose} full>
      <div class="overview-bar" data-testid="overview" data-state={round.state}>
        <p class="overview-status">
          <strong>{t(`breakout.state.${round.state}` as Key)}</strong>
          {live && ends && <span> · {formatClock(Math.max(0, ends - now))}</span>}
          {live && <span> · {t('overview.online', { n: online, of: people })}</span>}
          {failed && <span class="error"> · {t('overview.stale')}</span>}
        </p>
        {live && (
          <form
            class="row overview-broadcast"
            onSubmit={(e) => {
              e.preventDefault()
              if (!message.trim()) return
              void props.onBroadcast(message.trim()).then((r) => r && setMessage(''))
            }}
          >
            <label for="ov-message" class="sr-only">
              {t('breakout.broadcast')}
            </label>
            <input id="ov-message" value={message} maxLength={500} placeholder={t('breakout.broadcast')} onInput={(e) => setMessage((e.target as HTMLInputElement).value)} />
            <button type="submit" disabled={props.busy || !message.trim()} data-testid="overview-broadcast">
              {t('overview.broadcast')}
            </button>
          </form>
        )}
      </div>
      <ul class="overview-grid">
        {rooms.map((room) => (
          <RoomCard
            key={room.id}
            room={room}
            round={round}
            facts={facts.get(room.board)}
            name={boardTitle(ctx.state, room.board)}
            person={(pid) => ctx.state.roster[pid]?.name ?? '?'}
            now={now}
            busy={props.busy}
            onEnter={() => enter(room.board)}
            onMoreTime={() => props.onMoreTime(room.id, 5 * 60000)}
            onClearHelp={() => props.onClearHelp(room.id)}
          />
        ))}
      </ul>
    </Dialog>
  )
}

function RoomCard(props: {
  room: Room
  round: Round
  facts: RoomFacts | undefined
  name: string
  person: (pid: string) => string
  now: number
  busy: boolean
  onEnter: () => void
  onMoreTime: () => void
  onClearHelp: () => void
}) {
  const t = useT()
  const { room, round, facts } = props
  const help = !!room.help_requested_at && (round.state === 'open' || round.state === 'closing')
  const ends = room.ends_at ?? round.ends_at
  const here = new Set(facts?.online ?? [])
  const quiet = facts && facts.edits_last_minute === 0
  return (
    <li class={`overview-room${help ? ' help' : ''}`} data-testid="overview-room" data-board={room.board}>
      <div class="overview-room-head">
        <h3>{props.name}</h3>
        {help && (
          <span class="badge warn" data-testid="overview-help">
            {t('overview.help')}
          </span>
        )}
        {round.state === 'open' && ends && <span class="overview-time">{formatClock(Math.max(0, ends - props.now))}</span>}
      </div>
      <button type="button" class="thumb-button" onClick={props.onEnter} aria-label={t('breakout.visitRoom', { room: props.name })}>
        <RoomThumbnail thumbnail={facts?.thumbnail} label={t('overview.thumbnail', { n: facts?.notes ?? 0 })} />
      </button>
      <p class="overview-facts">
        <span data-testid="overview-notes">{t('overview.notes', { n: facts?.notes ?? 0 })}</span>
        {' · '}
        <span data-testid="overview-edits" class={quiet ? 'quiet' : ''}>
          {t('overview.edits', { n: facts?.edits_last_minute ?? 0 })}
        </span>
      </p>
      <ul class="overview-members">
        {room.members.map((pid) => (
          <li key={pid} class={here.has(pid) ? 'online' : 'away'} data-testid="overview-member" data-online={here.has(pid) ? 'yes' : 'no'}>
            <span class="dot" aria-hidden="true" />
            {props.person(pid)}
            <span class="sr-only"> ({here.has(pid) ? t('overview.isOnline') : t('overview.isAway')})</span>
          </li>
        ))}
        {room.members.length === 0 && <li class="hint">{t('breakout.emptyRoom')}</li>}
      </ul>
      {facts?.outcome && (
        <div class="overview-outcome">
          <h4>{t('overview.outcome')}</h4>
          {facts.outcome.length === 0 ? (
            <p class="hint">{t('overview.noNotes')}</p>
          ) : (
            <ul data-testid="overview-outcome">
              {facts.outcome.map((text, i) => (
                <li key={i}>{text}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div class="buttons">
        <button type="button" class="primary small" onClick={props.onEnter} data-testid="overview-enter">
          {round.state === 'closed' ? t('overview.harvest') : t('overview.enter')}
        </button>
        {round.state === 'open' && (
          <button type="button" class="small" onClick={props.onMoreTime} disabled={props.busy} data-testid="overview-more-time">
            {t('overview.moreTime')}
          </button>
        )}
        {help && (
          <button type="button" class="small" onClick={props.onClearHelp} disabled={props.busy}>
            {t('breakout.clearHelp')}
          </button>
        )}
      </div>
    </li>
  )
}
