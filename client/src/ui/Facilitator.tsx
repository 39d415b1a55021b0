// The facilitator's controls: share, agenda, timer, breakouts, votes, polls, boards, summary.
// Each control is a REST command (docs/api.md); its result reaches every screen through
// the `control` document, so nothing here keeps its own copy of the session's state.

import { useMemo, useState } from 'preact/hooks'
import { type Key, useI18n, useT } from '../i18n'
import { codeLink, command, commandsFor, type Schemas, sessionCall } from '../lib/api'
import type { BoardModel } from '../lib/board'
import { type ControlState, currentItem, itemTitle, type Poll, type Round, type Vote } from '../lib/control'
import type { FacilitatorInfo } from '../lib/store'
import { formatClock, visibleTimer } from '../lib/timer'
import { announce, CopyField, ErrorText } from './common'
import { useServerNow } from './hooks'
import { QrCode } from './qr'
import { TimerView } from './Widgets'

export interface FacilitatorCtx {
  sessionId: string
  token: string
  state: ControlState
  board: string
  goTo: (board: string) => void
  model: BoardModel | null
  info: FacilitatorInfo | null
  bringHere: () => void
  leading: boolean
  lead: (on: boolean) => void
}

/** Run a command, tell the person what went wrong (visibly and to screen readers). */
function useRunner() {
  const t = useT()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const run = async <T,>(fn: () => Promise<T>, done?: Key): Promise<T | null> => {
    setBusy(true)
    setError(null)
    try {
      const r = await fn()
      if (done) announce(t(done))
      return r
    } catch (err) {
      const msg = t('error.generic', { detail: (err as Error).message })
      setError(msg)
      announce(msg)
      return null
    } finally {
      setBusy(false)
    }
  }
  return { busy, error, run }
}

const minutes = (ms: number) => Math.round(ms / 60000)

// ---- share ---------------------------------------------------------------------------------

export function SharePanel({ ctx }: { ctx: FacilitatorCtx }) {
  const t = useT()
  const [askOrg, setAskOrg] = useState(false)
  const [askKind, setAskKind] = useState(false)
  const info = ctx.info
  const origin = location.origin
  const here = (url: string) => url.replace(/^https?:\/\/[^/]+/, origin)
  const ask = [askOrg && 'org', askKind && 'kind'].filter(Boolean).join(',')
  const participantLink = info?.participant_url ? here(info.participant_url) + (ask ? `&ask=${ask}` : '') : null
  const code = (ctx.state.session.join_code as string | undefined) ?? info?.join_code ?? null
  const joinLink = code ? codeLink(origin, code, ask) : null
  const display = info?.display_url ? here(info.display_url) : null
  // the display draws the join link as a QR code, asking what this panel asks
  const displayLink = display && ask ? `${display}&ask=${ask}` : display
  return (
    <section aria-labelledby="share-h" class="panel">
      <h2 id="share-h">{t('share.title')}</h2>
      {code && <CopyField label={t('share.code')} value={code} big testid="join-code" />}
      {joinLink && <CopyField label={t('share.joinLink')} value={joinLink} testid="join-link" />}
      {participantLink && <CopyField label={t('share.participant')} value={participantLink} testid="participant-link" />}
      {!participantLink && <p class="hint">{t('share.unknown')}</p>}
      <fieldset class="field compact">
        <legend>{t('share.ask')}</legend>
        <label class="check">
          <input type="checkbox" checked={askOrg} onChange={(e) => setAskOrg((e.target as HTMLInputElement).checked)} />
          {t('share.askOrg')}
        </label>
        <label class="check">
          <input type="checkbox" checked={askKind} onChange={(e) => setAskKind((e.target as HTMLInputElement).checked)} />
          {t('share.askKind')}
        </label>
      </fieldset>
      {displayLink && (
        <>
          <CopyField label={t('share.display')} value={displayLink} testid="display-link" />
          <p>
            <a href={displayLink} target="_blank" rel="noopener">
              {t('share.openDisplay')}
            </a>
          </p>
        </>
      )}
      {joinLink && <QrCode text={joinLink} label={t('share.qr')} size={160} />}
    </section>
  )
}

// ---- agenda --------------------------------------------------------------------------------

export function AgendaPanel({ ctx }: { ctx: FacilitatorCtx }) {
  const { t, lang } = useI18n()
  const { busy, error, run } = useRunner()
  const { items, current } = ctx.state.agenda
  const [editing, setEditing] = useState(false)
  const [draft, setDraft] = useState('')
  const [withTimer, setWithTimer] = useState(true)
  const idx = items.findIndex((i) => i.id === current)
  const cmd = commandsFor(ctx.sessionId, ctx.token)
  const go = (item: string | null) => run(() => cmd('agenda/current', { item, start_timer: withTimer }), 'agenda.moved')
  const startTimer = () => {
    const item = currentItem(ctx.state.agenda)
    if (item) return run(() => cmd('agenda/current', { item: item.id, start_timer: true }), 'timer.started')
  }
  const save = async () => {
    const parsed = draft
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => {
        const m = l.match(/^(.*?)[,;|]\s*(\d+)\s*(min)?$/)
        return m ? { title: m[1].trim(), duration_ms: Number(m[2]) * 60000 } : { title: l, duration_ms: 10 * 60000 }
      })
    const r = await run(() => sessionCall('put', ctx.sessionId, ctx.token, 'agenda', { items: parsed }), 'agenda.saved')
    if (r !== null) setEditing(false)
  }
  return (
    <section aria-labelledby="agenda-h" class="panel">
      <h2 id="agenda-h">{t('agenda.title')}</h2>
      {!editing && (
        <>
          <ol class="agenda-list">
            {items.map((i, n) => (
              <li key={i.id} class={i.id === current ? 'current' : ''} aria-current={i.id === current ? 'step' : undefined}>
                <button type="button" class="link" onClick={() => go(i.id)} disabled={busy}>
                  {n + 1}. {itemTitle(i, lang)}
                </button>
                <span class="hint"> · {t('agenda.minutes', { n: minutes(i.duration_ms) })}</span>
              </li>
            ))}
          </ol>
          {items.length === 0 && <p class="hint">{t('agenda.empty')}</p>}
          <label class="check">
            <input type="checkbox" checked={withTimer} onChange={(e) => setWithTimer((e.target as HTMLInputElement).checked)} />
            {t('agenda.withTimer')}
          </label>
          <div class="buttons">
            <button type="button" onClick={() => go(idx > 0 ? items[idx - 1].id : null)} disabled={busy || idx < 0}>
              {t('agenda.previous')}
            </button>
            <button
              type="button"
              class="primary"
              onClick={() => run(() => cmd('agenda/next', { start_timer: withTimer }), 'agenda.moved')}
              disabled={busy || items.length === 0 || idx === items.length - 1}
            >
              {idx < 0 ? t('agenda.begin') : t('agenda.next')}
            </button>
            <button type="button" onClick={startTimer} disabled={busy || idx < 0}>
              {t('agenda.startTimer')}
            </button>
          </div>
          <button
            type="button"
            class="link"
            onClick={() => {
              setDraft(items.map((i) => `${itemTitle(i, lang)}, ${minutes(i.duration_ms)}`).join('\n'))
              setEditing(true)
            }}
          >
            {t('agenda.edit')}
          </button>
        </>
      )}
      {editing && (
        <div class="stack">
          <label for="agenda-draft">{t('agenda.editLabel')}</label>
          <textarea id="agenda-draft" rows={8} value={draft} onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)} />
          <div class="buttons">
            <button type="button" class="primary" onClick={save} disabled={busy}>
              {t('save')}
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              {t('cancel')}
            </button>
          </div>
        </div>
      )}
      <ErrorText error={error} />
    </section>
  )
}

// ---- timer ---------------------------------------------------------------------------------

export function TimerPanel({ ctx }: { ctx: FacilitatorCtx }) {
  const t = useT()
  const { busy, error, run } = useRunner()
  const [mins, setMins] = useState('5')
  const [label, setLabel] = useState('')
  const timer = visibleTimer(ctx.state.timers, null)
  const cmd = commandsFor(ctx.sessionId, ctx.token)
  const start = (m: number) =>
    run(() => cmd('timers', { duration_ms: Math.round(m * 60000), label: label.trim(), start: true }), 'timer.started')
  return (
    <section aria-labelledby="timer-h" class="panel">
      <h2 id="timer-h">{t('timer.title')}</h2>
      {timer && <TimerView timer={timer} agenda={ctx.state.agenda} />}
      {timer && (
        <div class="buttons">
          {timer.state === 'running' && (
            <button type="button" onClick={() => run(() => cmd('timers/{timer_id}/pause', { timer_id: timer.id }), 'timer.pausedNow')} disabled={busy}>
              {t('timer.pause')}
            </button>
          )}
          {timer.state === 'paused' && (
            <button type="button" class="primary" onClick={() => run(() => cmd('timers/{timer_id}/resume', { timer_id: timer.id }), 'timer.resumed')} disabled={busy}>
              {t('timer.resume')}
            </button>
          )}
          {(timer.state === 'running' || timer.state === 'paused') && (
            <>
              <button type="button" onClick={() => run(() => cmd('timers/{timer_id}/adjust', { timer_id: timer.id }, { delta_ms: 60000 }))} disabled={busy}>
                {t('timer.plusMinute')}
              </button>
              <button type="button" onClick={() => run(() => cmd('timers/{timer_id}/adjust', { timer_id: timer.id }, { delta_ms: -60000 }))} disabled={busy}>
                {t('timer.minusMinute')}
              </button>
            </>
          )}
          {timer.state !== 'idle' && (
            <button type="button" onClick={() => run(() => cmd('timers/{timer_id}/reset', { timer_id: timer.id }))} disabled={busy}>
              {t('timer.reset')}
            </button>
          )}
        </div>
      )}
      <h3>{t('timer.new')}</h3>
      <div class="buttons">
        {[1, 3, 5, 10, 15].map((m) => (
          <button type="button" key={m} onClick={() => start(m)} disabled={busy} data-testid={`timer-${m}`}>
            {t('agenda.minutes', { n: m })}
          </button>
        ))}
      </div>
      <div class="row-fields">
        <div class="field">
          <label for="timer-min">{t('timer.minutes')}</label>
          <input id="timer-min" type="number" min="0.1" max="600" step="0.5" value={mins} onInput={(e) => setMins((e.target as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="timer-label">{t('timer.label')}</label>
          <input id="timer-label" value={label} maxLength={80} onInput={(e) => setLabel((e.target as HTMLInputElement).value)} />
        </div>
      </div>
      <button type="button" class="primary" onClick={() => start(Number(mins) || 5)} disabled={busy}>
        {t('timer.start')}
      </button>
      <ErrorText error={error} />
    </section>
  )
}

// ---- breakouts -----------------------------------------------------------------------------

const STRATEGIES: Array<[string, Key]> = [
  ['random', 'breakout.random'],
  ['keep_apart', 'breakout.keepApart'],
  ['balanced', 'breakout.balanced'],
  ['choose', 'breakout.choose'],
]

export function BreakoutPanel({ ctx }: { ctx: FacilitatorCtx }) {
  const t = useT()
  const { busy, error, run } = useRunner()
  const [strategy, setStrategy] = useState<Schemas['NewRound']['strategy']>('keep_apart')
  const [sizeMode, setSizeMode] = useState<'group_size' | 'rooms'>('group_size')
  const [size, setSize] = useState('3')
  const [duration, setDuration] = useState('15')
  const [countdown, setCountdown] = useState('60')
  const [message, setMessage] = useState('')
  const round = ctx.state.round
  const cmd = commandsFor(ctx.sessionId, ctx.token)
  const live = round && (round.state === 'draft' || round.state === 'open' || round.state === 'closing') ? round : null

  const draft = () => {
    const n = Math.max(1, Math.round(Number(size) || 3))
    const body: Schemas['NewRound'] = {
      strategy,
      duration_ms: Math.round((Number(duration) || 15) * 60000),
      closing_ms: Math.round(Math.max(0, Number(countdown) || 0) * 1000),
    }
    if (strategy === 'choose') {
      body.rooms = n
      body.capacity = Math.max(1, Math.ceil(Object.keys(ctx.state.roster).length / n) + 1)
    } else body[sizeMode] = n
    if (strategy === 'keep_apart') body.key = 'org'
    if (strategy === 'balanced') body.key = 'kind'
    return run(() => cmd('breakouts', body), 'breakout.drafted')
  }

  return (
    <section aria-labelledby="breakout-h" class="panel">
      <h2 id="breakout-h">{t('breakout.title')}</h2>
      {!live && (
        <div class="stack">
          <div class="field">
            <label for="bo-strategy">{t('breakout.strategy')}</label>
            <select id="bo-strategy" value={strategy} onChange={(e) => setStrategy((e.target as HTMLSelectElement).value as Schemas['NewRound']['strategy'])}>
              {STRATEGIES.map(([v, k]) => (
                <option value={v} key={v}>
                  {t(k)}
                </option>
              ))}
            </select>
          </div>
          <fieldset class="field compact">
            <legend>{t('breakout.sizeBy')}</legend>
            <label class="check">
              <input type="radio" name="size-mode" checked={sizeMode === 'group_size'} onChange={() => setSizeMode('group_size')} disabled={strategy === 'choose'} />
              {t('breakout.groupSize')}
            </label>
            <label class="check">
              <input type="radio" name="size-mode" checked={sizeMode === 'rooms' || strategy === 'choose'} onChange={() => setSizeMode('rooms')} />
              {t('breakout.roomCount')}
            </label>
          </fieldset>
          <div class="row-fields">
            <div class="field">
              <label for="bo-size">{sizeMode === 'rooms' || strategy === 'choose' ? t('breakout.roomCount') : t('breakout.groupSize')}</label>
              <input id="bo-size" type="number" min="1" max="200" value={size} onInput={(e) => setSize((e.target as HTMLInputElement).value)} />
            </div>
            <div class="field">
              <label for="bo-duration">{t('breakout.duration')}</label>
              <input id="bo-duration" type="number" min="1" max="480" value={duration} onInput={(e) => setDuration((e.target as HTMLInputElement).value)} />
            </div>
            <div class="field">
              <label for="bo-countdown">{t('breakout.countdown')}</label>
              <input id="bo-countdown" type="number" min="0" max="600" value={countdown} onInput={(e) => setCountdown((e.target as HTMLInputElement).value)} />
            </div>
          </div>
          <button type="button" class="primary" onClick={draft} disabled={busy} data-testid="breakout-preview">
            {t('breakout.preview')}
          </button>
        </div>
      )}
      {live && (
        <RoundView
          round={live}
          ctx={ctx}
          busy={busy}
          onOpen={() => run(() => cmd('breakouts/{round_id}/open', { round_id: live.id }, { duration_ms: live.duration_ms }), 'breakout.opened')}
          onDiscard={() => run(() => sessionCall('delete', ctx.sessionId, ctx.token, 'breakouts/{round_id}', { round_id: live.id }))}
          onMove={(participant, room) => run(() => cmd('breakouts/{round_id}/moves', { round_id: live.id }, { participant, room }))}
          onClose={() => run(() => cmd('breakouts/{round_id}/close', { round_id: live.id }), 'breakout.closingNow')}
          onExtend={(ms) => run(() => cmd('breakouts/{round_id}/time', { round_id: live.id }, { delta_ms: ms }), 'breakout.extended')}
          onClearHelp={(room) => run(() => sessionCall('delete', ctx.sessionId, ctx.token, 'breakouts/{round_id}/help/{room}', { round_id: live.id, room }))}
        />
      )}
      {live && live.state !== 'draft' && (
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault()
            if (!message.trim()) return
            void run(() => cmd('breakouts/{round_id}/messages', { round_id: live.id }, { text: message.trim() }), 'breakout.sent').then((r) => r && setMessage(''))
          }}
        >
          <label for="bo-message">{t('breakout.broadcast')}</label>
          <div class="row">
            <input id="bo-message" value={message} maxLength={500} onInput={(e) => setMessage((e.target as HTMLInputElement).value)} />
            <button type="submit" disabled={busy || !message.trim()}>
              {t('breakout.send')}
            </button>
          </div>
        </form>
      )}
      <ErrorText error={error} />
    </section>
  )
}

function RoundView(props: {
  round: Round
  ctx: FacilitatorCtx
  busy: boolean
  onOpen: () => void
  onDiscard: () => void
  onMove: (participant: string, room: string) => void
  onClose: () => void
  onExtend: (ms: number) => void
  onClearHelp: (room: string) => void
}) {
  const t = useT()
  const { round, ctx } = props
  const now = useServerNow(1000, round.state !== 'draft')
  const [dragging, setDragging] = useState<string | null>(null)
  const name = (pid: string) => ctx.state.roster[pid]?.name ?? pid
  const ends = round.state === 'closing' ? round.closes_at : round.ends_at
  const roomName = (id: string) => round.rooms.find((r) => r.id === id)?.name ?? id
  const helpRooms = round.rooms.filter((r) => r.help_requested_at)
  return (
    <div class="round" data-testid="round" data-state={round.state}>
      <p class="round-status">
        <strong>{t(`breakout.state.${round.state}` as Key)}</strong>
        {ends && round.state !== 'draft' && <span> · {formatClock(Math.max(0, ends - now))}</span>}
      </p>
      {helpRooms.length > 0 && (
        <div class="help-calls" role="alert">
          {helpRooms.map((r) => (
            <p key={r.id}>
              {t('breakout.helpCall', { room: r.name })}{' '}
              <button type="button" onClick={() => ctx.goTo(r.board)}>
                {t('breakout.visit')}
              </button>{' '}
              <button type="button" onClick={() => props.onClearHelp(r.id)}>
                {t('breakout.clearHelp')}
              </button>
            </p>
          ))}
        </div>
      )}
      {round.state === 'draft' && <p class="hint">{t('breakout.dragHint')}</p>}
      <ul class="rooms">
        {round.rooms.map((room) => (
          <li
            key={room.id}
            class={`room${ctx.board === room.board ? ' here' : ''}`}
            data-testid="room"
            onDragOver={(e) => round.state !== 'closed' && e.preventDefault()}
            onDrop={(e) => {
              e.preventDefault()
              const pid = e.dataTransfer?.getData('text/plain') || dragging
              if (pid) props.onMove(pid, room.id)
              setDragging(null)
            }}
          >
            <div class="room-head">
              <strong>{room.name}</strong>
              {round.state !== 'draft' && (
                <button type="button" class="small" onClick={() => ctx.goTo(room.board)} aria-label={t('breakout.visitRoom', { room: room.name })}>
                  {t('breakout.visit')}
                </button>
              )}
            </div>
            <ul class="members">
              {room.members.map((pid) => (
                <li
                  key={pid}
                  class="member"
                  draggable={round.state !== 'closing'}
                  onDragStart={(e) => {
                    e.dataTransfer?.setData('text/plain', pid)
                    setDragging(pid)
                  }}
                >
                  <span>{name(pid)}</span>
                  {round.state !== 'closing' && round.rooms.length > 1 && (
                    <select
                      class="move-select"
                      aria-label={t('breakout.moveTo', { name: name(pid) })}
                      value={room.id}
                      onChange={(e) => props.onMove(pid, (e.target as HTMLSelectElement).value)}
                    >
                      {round.rooms.map((r) => (
                        <option value={r.id} key={r.id}>
                          {roomName(r.id)}
                        </option>
                      ))}
                    </select>
                  )}
                </li>
              ))}
              {room.members.length === 0 && <li class="hint">{t('breakout.emptyRoom')}</li>}
            </ul>
          </li>
        ))}
      </ul>
      {round.unassigned.length > 0 && (
        <p class="hint">
          {t('breakout.unassigned')}: {round.unassigned.map(name).join(', ')}
        </p>
      )}
      <div class="buttons">
        {round.state === 'draft' && (
          <>
            <button type="button" class="primary" onClick={props.onOpen} disabled={props.busy} data-testid="breakout-open">
              {t('breakout.open', { n: minutes(round.duration_ms) })}
            </button>
            <button type="button" onClick={props.onDiscard} disabled={props.busy}>
              {t('breakout.discard')}
            </button>
          </>
        )}
        {round.state === 'open' && (
          <>
            <button type="button" onClick={() => props.onExtend(5 * 60000)} disabled={props.busy}>
              {t('breakout.extend')}
            </button>
            <button type="button" class="primary" onClick={props.onClose} disabled={props.busy} data-testid="breakout-close">
              {t('breakout.close')}
            </button>
          </>
        )}
        {round.state !== 'draft' && ctx.board !== 'main' && (
          <button type="button" onClick={() => ctx.goTo('main')}>
            {t('board.backToMain')}
          </button>
        )}
      </div>
    </div>
  )
}

// ---- votes ---------------------------------------------------------------------------------

export function VotePanel({ ctx }: { ctx: FacilitatorCtx }) {
  const t = useT()
  const { busy, error, run } = useRunner()
  const [title, setTitle] = useState('')
  const [perPerson, setPerPerson] = useState('3')
  const [perNote, setPerNote] = useState('2')
  const [anonymous, setAnonymous] = useState(true)
  const votes = ctx.state.votes
  const active = votes.filter((v) => v.state !== 'revealed')
  const revealed = votes.filter((v) => v.state === 'revealed').slice(-1)
  const cmd = commandsFor(ctx.sessionId, ctx.token)
  return (
    <section aria-labelledby="vote-h" class="panel">
      <h2 id="vote-h">{t('vote.title')}</h2>
      {active.map((v) => (
        <div key={v.id} class="card" data-testid="vote-card">
          <p>
            <strong>{v.title || t('vote.untitled')}</strong> · {boardTitle(ctx.state, v.board)}
          </p>
          <p>{t('vote.progress', { dots: v.dots_cast, voters: v.voters })}</p>
          <div class="buttons">
            {v.state === 'open' && (
              <button type="button" onClick={() => run(() => cmd('votes/{vote_id}/close', { vote_id: v.id }), 'vote.closed')} disabled={busy}>
                {t('vote.close')}
              </button>
            )}
            <button
              type="button"
              class="primary"
              onClick={() =>
                run(async () => {
                  if (v.state === 'open') await cmd('votes/{vote_id}/close', { vote_id: v.id })
                  return cmd('votes/{vote_id}/reveal', { vote_id: v.id })
                }, 'vote.revealed')
              }
              disabled={busy}
              data-testid="vote-reveal"
            >
              {t('vote.reveal')}
            </button>
          </div>
        </div>
      ))}
      {revealed.map((v) => (
        <VoteResults key={v.id} vote={v} model={ctx.board === v.board ? ctx.model : null} />
      ))}
      <h3>{t('vote.new')}</h3>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault()
          void run(
            () =>
              cmd('votes', {
                board: ctx.board,
                title: title.trim() || undefined,
                per_participant: Math.max(1, Number(perPerson) || 3),
                per_note: Math.max(1, Number(perNote) || 1),
                anonymous,
              }),
            'vote.started',
          )
        }}
      >
        <div class="field">
          <label for="vote-title">{t('vote.question')}</label>
          <input id="vote-title" value={title} maxLength={200} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
        </div>
        <div class="row-fields">
          <div class="field">
            <label for="vote-pp">{t('vote.perPerson')}</label>
            <input id="vote-pp" type="number" min="1" max="50" value={perPerson} onInput={(e) => setPerPerson((e.target as HTMLInputElement).value)} />
          </div>
          <div class="field">
            <label for="vote-pn">{t('vote.perNote')}</label>
            <input id="vote-pn" type="number" min="1" max="50" value={perNote} onInput={(e) => setPerNote((e.target as HTMLInputElement).value)} />
          </div>
        </div>
        <label class="check">
          <input type="checkbox" checked={anonymous} onChange={(e) => setAnonymous((e.target as HTMLInputElement).checked)} />
          {t('vote.anonymous')}
        </label>
        <p class="hint">{t('vote.onBoard', { board: boardTitle(ctx.state, ctx.board) })}</p>
        <button type="submit" class="primary" disabled={busy} data-testid="vote-start">
          {t('vote.start')}
        </button>
      </form>
      <ErrorText error={error} />
    </section>
  )
}

export function VoteResults({ vote, model }: { vote: Vote; model: BoardModel | null }) {
  const t = useT()
  if (!vote.results) return null
  return (
    <div class="card results" data-testid="vote-results">
      <h3>{t('vote.results', { title: vote.title || t('vote.untitled') })}</h3>
      <ol>
        {vote.results
          .filter((r) => r.dots > 0)
          .slice(0, 10)
          .map((r) => (
            <li key={r.note}>
              <strong>{t('vote.dots', { count: r.dots })}</strong> — {model?.notes.get(r.note)?.text || t('vote.noteGone')}
            </li>
          ))}
      </ol>
    </div>
  )
}

export const boardTitle = (state: ControlState, board: string) => state.boards[board]?.title || board

// ---- polls ---------------------------------------------------------------------------------

export function PollPanel({ ctx }: { ctx: FacilitatorCtx }) {
  const { t, lang } = useI18n()
  const { busy, error, run } = useRunner()
  const [kind, setKind] = useState<'choice' | 'scale' | 'text'>('choice')
  const [question, setQuestion] = useState('')
  const [options, setOptions] = useState('')
  const cmd = commandsFor(ctx.sessionId, ctx.token)
  const polls = ctx.state.polls
  const create = (e: Event) => {
    e.preventDefault()
    const body: Schemas['NewPoll'] = { kind, question: question.trim() }
    if (kind === 'choice') body.options = options.split('\n').map((o) => o.trim()).filter(Boolean)
    void run(() => cmd('polls', body), 'poll.started').then((r) => r && (setQuestion(''), setOptions('')))
  }
  return (
    <section aria-labelledby="poll-h" class="panel">
      <h2 id="poll-h">{t('poll.title')}</h2>
      {polls.map((p) => (
        <div key={p.id} class="card" data-testid="poll-card">
          <p>
            <strong>{pollQuestion(p, lang)}</strong>
          </p>
          <p>{t('poll.answers', { n: p.answers })}</p>
          {p.state === 'open' && (
            <button type="button" onClick={() => run(() => cmd('polls/{poll_id}/close', { poll_id: p.id }), 'poll.closed')} disabled={busy} data-testid="poll-close">
              {t('poll.close')}
            </button>
          )}
          {p.state === 'closed' && <PollResults poll={p} />}
        </div>
      ))}
      <h3>{t('poll.presets')}</h3>
      <div class="buttons">
        <button type="button" onClick={() => run(() => cmd('polls', { preset: 'heard' }), 'poll.started')} disabled={busy}>
          {t('poll.presetHeard')}
        </button>
        <button type="button" onClick={() => run(() => cmd('polls', { preset: 'use' }), 'poll.started')} disabled={busy}>
          {t('poll.presetUse')}
        </button>
      </div>
      <h3>{t('poll.new')}</h3>
      <form class="stack" onSubmit={create}>
        <div class="field">
          <label for="poll-kind">{t('poll.kind')}</label>
          <select id="poll-kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as typeof kind)}>
            <option value="choice">{t('poll.kindChoice')}</option>
            <option value="scale">{t('poll.kindScale')}</option>
            <option value="text">{t('poll.kindText')}</option>
          </select>
        </div>
        <div class="field">
          <label for="poll-q">{t('poll.question')}</label>
          <input id="poll-q" value={question} maxLength={300} required onInput={(e) => setQuestion((e.target as HTMLInputElement).value)} />
        </div>
        {kind === 'choice' && (
          <div class="field">
            <label for="poll-o">{t('poll.options')}</label>
            <textarea id="poll-o" rows={4} value={options} onInput={(e) => setOptions((e.target as HTMLTextAreaElement).value)} />
          </div>
        )}
        <button type="submit" class="primary" disabled={busy || !question.trim()} data-testid="poll-start">
          {t('poll.start')}
        </button>
      </form>
      <ErrorText error={error} />
    </section>
  )
}

export const pollQuestion = (p: Poll, lang: string) =>
  (p.questions as Record<string, string> | null)?.[lang] || p.question

export function PollResults({ poll }: { poll: Poll }) {
  const t = useT()
  const r = poll.results
  if (!r) return null
  if (r.texts) {
    return (
      <ul class="poll-texts" data-testid="poll-results">
        {r.texts.map((x, i) => (
          <li key={i}>{x}</li>
        ))}
      </ul>
    )
  }
  const counts = r.counts ?? {}
  const total = Object.values(counts).reduce((a, b) => a + b, 0) || 1
  return (
    <div data-testid="poll-results">
      <table class="poll-table">
        <tbody>
          {Object.entries(counts).map(([option, n]) => (
            <tr key={option}>
              <th scope="row">{option}</th>
              <td>
                <span class="bar" style={{ width: `${Math.round((n / total) * 100)}%` }} aria-hidden="true" />
                {n}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {typeof r.mean === 'number' && <p>{t('poll.mean', { mean: r.mean.toFixed(1) })}</p>}
    </div>
  )
}

// ---- boards, bring everyone, follow me -------------------------------------------------------

export function BoardsPanel({ ctx }: { ctx: FacilitatorCtx }) {
  const t = useT()
  const { busy, error, run } = useRunner()
  const [title, setTitle] = useState('')
  const boards = useMemo(() => Object.entries(ctx.state.boards).filter(([, b]) => b.kind !== 'breakout'), [ctx.state.boards])
  const create = async (e: Event) => {
    e.preventDefault()
    const clean = title.trim()
    if (!clean) return
    const slug =
      clean
        .toLowerCase()
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 40) || 'board'
    const name = ctx.state.boards[slug] ? `${slug}-${Object.keys(ctx.state.boards).length}` : slug
    const r = await run(() => command(ctx.sessionId, ctx.token, 'boards', { name, title: clean, open_to_all: true }), 'boards.created')
    if (r !== null) {
      setTitle('')
      ctx.goTo(name)
    }
  }
  return (
    <section aria-labelledby="boards-h" class="panel">
      <h2 id="boards-h">{t('boards.title')}</h2>
      <p class="hint">{t('boards.leadHint')}</p>
      <div class="buttons">
        <button type="button" class="primary" onClick={ctx.bringHere} data-testid="bring-here">
          {t('boards.bringHere')}
        </button>
        <button type="button" aria-pressed={ctx.leading} onClick={() => ctx.lead(!ctx.leading)} data-testid="follow-me">
          {t('boards.followMe')}
        </button>
      </div>
      <ul class="board-list">
        {boards.map(([name, b]) => (
          <li key={name} class={name === ctx.board ? 'here' : ''}>
            <button type="button" class="link" onClick={() => ctx.goTo(name)} aria-current={name === ctx.board ? 'page' : undefined}>
              {b.title || name}
            </button>
            {b.kind === 'board' && (
              <label class="check small">
                <input
                  type="checkbox"
                  checked={b.open_to_all}
                  onChange={(e) =>
                    run(() =>
                      sessionCall('patch', ctx.sessionId, ctx.token, 'boards/{board}', { board: name }, {
                        open_to_all: (e.target as HTMLInputElement).checked,
                      }),
                    )
                  }
                />
                {t('boards.openToAll')}
              </label>
            )}
          </li>
        ))}
      </ul>
      <form class="stack" onSubmit={create}>
        <label for="board-title">{t('boards.newTitle')}</label>
        <div class="row">
          <input id="board-title" value={title} maxLength={80} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
          <button type="submit" disabled={busy || !title.trim()}>
            {t('boards.create')}
          </button>
        </div>
      </form>
      <ErrorText error={error} />
    </section>
  )
}

export function SummaryPanel({ ctx, author }: { ctx: FacilitatorCtx; author: string }) {
  const t = useT()
  const { busy, error, run } = useRunner()
  const [text, setText] = useState('')
  return (
    <form
      class="stack panel"
      onSubmit={(e) => {
        e.preventDefault()
        if (!text.trim()) return
        void run(() => command(ctx.sessionId, ctx.token, 'summaries', { author, markdown: text }), 'summaries.posted').then(
          (r) => r && setText(''),
        )
      }}
    >
      <label for="summary-text">{t('summaries.write')}</label>
      <textarea id="summary-text" rows={5} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      <button type="submit" disabled={busy || !text.trim()}>
        {t('summaries.post')}
      </button>
      <ErrorText error={error} />
    </form>
  )
}

