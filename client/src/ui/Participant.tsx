// What a participant sees beyond the board: their breakout room, polls to answer, and the
// harvest of their room's notes after a round.

import { useEffect, useRef, useState } from 'preact/hooks'
import { errorText, type I18n, useI18n, useT } from '../i18n'
import { command } from '../lib/api'
import type { ControlState, Poll, Round } from '../lib/control'
import { formatClock } from '../lib/timer'
import { announce, Dialog, ErrorText, Popup } from './common'
import { PollResults, pollQuestion, useBoardTitle } from './facilitator'
import { useServerNow } from './hooks'

export function RoomBanner(props: { round: Round; board: string; me: string; state: ControlState; sessionId: string; token: string }) {
  const t = useT()
  const { round } = props
  const boardTitle = useBoardTitle()
  const room = round.rooms.find((r) => r.board === props.board)
  const now = useServerNow(1000)
  const [error, setError] = useState<string | null>(null)
  if (!room) return null
  const others = room.members.filter((m) => m !== props.me).map((m) => props.state.roster[m]?.name ?? '?')
  const until = round.state === 'closing' ? round.closes_at : (room.ends_at ?? round.ends_at)
  const message = latestFor(round, room.id)
  const ask = async () => {
    setError(null)
    try {
      await command(props.sessionId, props.token, 'breakouts/{round_id}/help', { round_id: round.id })
      announce(t('room.helpSent'), true)
    } catch (err) {
      setError(errorText(t, err))
    }
  }
  return (
    <div class={`room-banner ${round.state}`} data-testid="room-banner">
      <p>
        <strong>{t('room.youAreIn', { room: boardTitle(props.state, room.board) })}</strong>
        {others.length > 0 && <span> · {t('room.with', { names: others.join(', ') })}</span>}
      </p>
      {until && (
        <p class="room-countdown" data-testid="room-countdown">
          {round.state === 'closing' ? t('room.closingIn') : t('room.timeLeft')} {formatClock(Math.max(0, until - now))}
        </p>
      )}
      {message && <p class="room-message">{messageText(message, t)}</p>}
      {round.state === 'open' && (
        <button type="button" onClick={ask} disabled={!!room.help_requested_at}>
          {room.help_requested_at ? t('room.helpComing') : t('room.askHelp')}
        </button>
      )}
      <ErrorText error={error} />
    </div>
  )
}

type RoomMessage = Round['messages'][number]

/** The newest message for a room: one to every room, or one that names it (more time alone). */
export function latestFor(round: Round, room: string | undefined): RoomMessage | null {
  return [...round.messages].reverse().find((m) => !m.room || m.room === room) ?? null
}

/** A room message in the viewer's language: more time is said in words ("5 more minutes"). */
export function messageText(m: RoomMessage, t: I18n['t']): string {
  if (m.kind !== 'time' || typeof m.delta_ms !== 'number') return m.text
  const n = Math.round((Math.abs(m.delta_ms) / 60_000) * 10) / 10
  return t(m.delta_ms >= 0 ? 'room.moreTime' : 'room.lessTime', { n })
}

/** The facilitator's newest message to the rooms (a broadcast, more time), popped up and
 *  announced once for a participant in a room; what was said before they came is not news. */
export function MessagePopup({ round, board }: { round: Round; board: string }) {
  const t = useT()
  const latest = latestFor(round, round.rooms.find((r) => r.board === board)?.id)
  const seen = useRef<number | null>(null)
  const [shown, setShown] = useState<RoomMessage | null>(null)
  useEffect(() => {
    if (seen.current === null) {
      seen.current = latest?.at ?? 0
      return
    }
    if (!latest || latest.at <= seen.current) return
    seen.current = latest.at
    setShown(latest)
    announce(messageText(latest, t))
  }, [latest?.at])
  if (!shown) return null
  return (
    <div class="popups">
      <Popup title={t('broadcast.title')} testid="message-popup" onDismiss={() => setShown(null)}>
        <p class="popup-text">{messageText(shown, t)}</p>
      </Popup>
    </div>
  )
}

/** After a round: go to your room's board and promote chosen notes to main. */
export function HarvestBar(props: {
  sessionId: string
  token: string
  roundId: string
  room: string
  roomName: string
  selected: string[]
  onDone: () => void
}) {
  const t = useT()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const promote = async () => {
    setBusy(true)
    setError(null)
    try {
      await command(props.sessionId, props.token, 'breakouts/{round_id}/rooms/{room}/promote', { round_id: props.roundId, room: props.room }, { notes: props.selected })
      announce(t('harvest.done', { count: props.selected.length }), true)
    } catch (err) {
      setError(errorText(t, err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <div class="harvest-bar" data-testid="harvest-bar">
      <p>{t('harvest.hint', { room: props.roomName })}</p>
      <button type="button" class="primary" disabled={busy || props.selected.length === 0} onClick={promote}>
        {t('harvest.promote', { count: props.selected.length })}
      </button>
      <button type="button" onClick={props.onDone}>
        {t('board.backToMain')}
      </button>
      <ErrorText error={error} />
    </div>
  )
}

export function PollDialog(props: { poll: Poll; sessionId: string; token: string; onAnswered: () => void; onLater: () => void }) {
  const { t, lang } = useI18n()
  return (
    <Dialog title={t('poll.answerTitle')} onClose={props.onLater}>
      <PollForm {...props} />
      <p class="hint">{lang && t('poll.anonymousNote')}</p>
    </Dialog>
  )
}

export function PollForm(props: { poll: Poll; sessionId: string; token: string; onAnswered: () => void; onLater?: () => void }) {
  const { t, lang } = useI18n()
  const { poll } = props
  const [value, setValue] = useState<string>('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const qid = `poll-${poll.id}`
  const submit = async (e: Event) => {
    e.preventDefault()
    if (!value.trim()) {
      setError(t('poll.needAnswer'))
      return
    }
    setBusy(true)
    setError(null)
    const answer = poll.kind === 'scale' ? Number(value) : value.trim()
    try {
      await command(props.sessionId, props.token, 'polls/{poll_id}/answers', { poll_id: poll.id }, { answer })
      announce(t('poll.thanks'), true)
      props.onAnswered()
    } catch (err) {
      setError(errorText(t, err))
    } finally {
      setBusy(false)
    }
  }
  const scaleLabel = (n: number) => (n === 1 ? t('poll.scaleLow') : n === 5 ? t('poll.scaleHigh') : '')
  return (
    <form class="stack poll-form" onSubmit={submit} data-testid="poll-form">
      {poll.kind === 'text' ? (
        <>
          <label for={qid} class="poll-question">
            {pollQuestion(poll, lang)}
          </label>
          <textarea id={qid} rows={4} maxLength={1000} value={value} onInput={(e) => setValue((e.target as HTMLTextAreaElement).value)} />
        </>
      ) : (
        <fieldset class={poll.kind === 'scale' ? 'scale' : ''}>
          <legend class="poll-question">{pollQuestion(poll, lang)}</legend>
          {(poll.options ?? []).map((o) => (
            <label class="choice" key={String(o)}>
              <input type="radio" name={qid} value={String(o)} checked={value === String(o)} onChange={() => setValue(String(o))} />
              <span>
                {String(o)}
                {poll.kind === 'scale' && scaleLabel(Number(o)) && <span class="hint"> {scaleLabel(Number(o))}</span>}
              </span>
            </label>
          ))}
        </fieldset>
      )}
      <ErrorText error={error} />
      <div class="buttons">
        <button type="submit" class="primary" disabled={busy}>
          {t('poll.submit')}
        </button>
        {props.onLater && (
          <button type="button" onClick={props.onLater}>
            {t('poll.later')}
          </button>
        )}
      </div>
    </form>
  )
}

export function PollList(props: { state: ControlState; answered: Set<string>; onAnswer: (p: Poll) => void }) {
  const { t, lang } = useI18n()
  const polls = props.state.polls
  if (polls.length === 0) return <p class="hint">{t('poll.none')}</p>
  return (
    <ul class="poll-list">
      {polls.map((p) => (
        <li key={p.id} class="card">
          <p>
            <strong>{pollQuestion(p, lang)}</strong>
          </p>
          {p.state === 'open' && !props.answered.has(p.id) && (
            <button type="button" class="primary" onClick={() => props.onAnswer(p)}>
              {t('poll.answer')}
            </button>
          )}
          {p.state === 'open' && props.answered.has(p.id) && (
            <p class="hint">
              {t('poll.answered')}{' '}
              <button type="button" class="link" onClick={() => props.onAnswer(p)}>
                {t('poll.change')}
              </button>
            </p>
          )}
          {p.state === 'closed' && <PollResults poll={p} />}
        </li>
      ))}
    </ul>
  )
}

/** Rounds where people choose their room: a button per room, with how full it is. */
export function RoomChooser(props: { round: Round; me: string; sessionId: string; token: string; state: ControlState }) {
  const t = useT()
  const boardTitle = useBoardTitle()
  const { round } = props
  const roomName = (r: { board: string }) => boardTitle(props.state, r.board)
  const [error, setError] = useState<string | null>(null)
  const mine = round.rooms.find((r) => r.members.includes(props.me))
  const pick = async (room: string) => {
    setError(null)
    try {
      await command(props.sessionId, props.token, 'breakouts/{round_id}/choice', { round_id: round.id }, { room })
      announce(t('room.chosen', { room: boardTitle(props.state, room) }))
    } catch (err) {
      setError(errorText(t, err))
    }
  }
  return (
    <div class="info-bar" data-testid="room-chooser">
      <p>{mine ? t('room.chosen', { room: roomName(mine) }) : t('room.choose')}</p>
      <div class="buttons">
        {round.rooms.map((r) => (
          <button
            type="button"
            key={r.id}
            aria-pressed={mine?.id === r.id}
            disabled={round.capacity !== null && r.members.length >= round.capacity && mine?.id !== r.id}
            onClick={() => pick(r.id)}
          >
            {t('room.option', { room: roomName(r), n: r.members.length, max: round.capacity ?? '–' })}
          </button>
        ))}
      </div>
      <ErrorText error={error} />
    </div>
  )
}
