import { useEffect, useRef, useState } from 'preact/hooks'
import { type Key, useI18n, useT } from '../i18n'
import { chime, unlockAudio } from '../lib/chime'
import { type Agenda, type AgendaItem, type ControlState, currentItem, itemInstructions, itemTitle, tagValue, timerLabel } from '../lib/control'
import { type SoundRole, saveSound, soundOn } from '../lib/store'
import { clockParts, crossedMilestone, formatClock, remainingMs, type Timer, type TimerState } from '../lib/timer'
import { announce, Dialog } from './common'
import { Labelled } from './Icons'
import { Markdown } from './Markdown'
import type { OnlineEntry } from './hooks'
import { useServerNow } from './hooks'

/** The running timer, big or small, labelled in the viewer's language. Re-reads the server
 *  clock four times a second. */
export function TimerView({ timer, agenda, big }: { timer: Timer | null; agenda: Agenda; big?: boolean }) {
  const { t, lang } = useI18n()
  const now = useServerNow(250, timer?.state === 'running')
  if (!timer) return null
  const label = timerLabel(timer, agenda, lang)
  const left = remainingMs(timer, now)
  const { minutes, seconds } = clockParts(left)
  const stateKey: Record<TimerState, Key> = {
    idle: 'timer.idle',
    running: 'timer.running',
    paused: 'timer.paused',
    ended: 'timer.ended',
  }
  const low = timer.state === 'running' && left <= 60_000
  return (
    <div
      class={`timer${big ? ' big' : ''} ${timer.state}${low ? ' low' : ''}${left === 0 ? ' zero' : ''}`}
      role="timer"
      aria-label={t('timer.aria', { minutes, seconds, state: t(stateKey[timer.state]) })}
      data-testid="timer"
      data-timer-id={timer.id}
    >
      {label && (
        <span class="timer-label" data-testid="timer-label">
          {label}
        </span>
      )}
      <span class="timer-digits" aria-hidden="true" data-testid="timer-digits">
        {formatClock(left)}
      </span>
      {timer.state !== 'running' && (
        <span class="timer-state" data-testid="timer-state">
          {t(stateKey[timer.state])}
        </span>
      )}
    </div>
  )
}

/** Announce five minutes left, one minute left and time's up (once each) for a timer, and
 *  chime at time's up when `sound` is on. */
export function useTimerMilestones(timer: Timer | null, sound: boolean) {
  const t = useT()
  const now = useServerNow(500, timer !== null && timer.state === 'running')
  const prev = useRef<{ id: string; state: TimerState; remaining: number } | null>(null)
  useEffect(() => {
    if (!timer) {
      prev.current = null
      return
    }
    const reading = { state: timer.state, remaining: remainingMs(timer, now) }
    const before = prev.current && prev.current.id === timer.id ? prev.current : null
    const m = crossedMilestone(before, reading)
    if (m === 'five') announce(t('timer.fiveLeft'), true)
    if (m === 'one') announce(t('timer.oneLeft'), true)
    if (m === 'ended') {
      announce(t('timer.timeUp'), true)
      if (sound) chime()
    }
    prev.current = { id: timer.id, ...reading }
  }, [timer, now])
}

/** Whether this screen chimes at time's up, remembered per kind of screen (lib/store). */
export function useSound(role: SoundRole): [boolean, (on: boolean) => void] {
  const [on, setOn] = useState(() => soundOn(role))
  return [
    on,
    (next: boolean) => {
      if (next) unlockAudio() // a click: the browser lets the page make sound from now on
      saveSound(role, next)
      setOn(next)
    },
  ]
}

export function SoundToggle({ on, onChange }: { on: boolean; onChange: (on: boolean) => void }) {
  const t = useT()
  return (
    <label class="sound-switch iconic" title={t('sound.label')}>
      <input type="checkbox" checked={on} onChange={(e) => onChange((e.target as HTMLInputElement).checked)} data-testid="sound-toggle" />
      <Labelled icon="bell">{t('sound.label')}</Labelled>
    </label>
  )
}

export function AgendaNow({ state, big }: { state: ControlState; big?: boolean }) {
  const { t, lang } = useI18n()
  const item = currentItem(state.agenda)
  if (!item) return null
  const index = state.agenda.items.findIndex((i) => i.id === item.id)
  return (
    <div class={`agenda-now${big ? ' big' : ''}`} data-testid="agenda-now">
      <span class="agenda-step">{t('agenda.step', { n: index + 1, total: state.agenda.items.length })}</span>
      <span class="agenda-title">{itemTitle(item, lang)}</span>
    </div>
  )
}

export function AgendaList({ items, current, lang }: { items: AgendaItem[]; current: string | null; lang: string }) {
  const t = useT()
  if (items.length === 0) return <p class="hint">{t('agenda.empty')}</p>
  return (
    <ol class="agenda-list">
      {items.map((i) => (
        <li key={i.id} class={i.id === current ? 'current' : ''} aria-current={i.id === current ? 'step' : undefined}>
          <span class="agenda-line">
            <span class="agenda-title">{itemTitle(i, lang)}</span>
            <span class="hint agenda-minutes">· {t('agenda.minutes', { n: Math.round(i.duration_ms / 60000) })}</span>
          </span>
          {i.id === current && i.instructions && <p class="instructions">{itemInstructions(i, lang)}</p>}
        </li>
      ))}
    </ol>
  )
}

/** Everyone in the roster, plus others present (facilitators, displays), with who is online. */
export function PeopleList({ state, online, me }: { state: ControlState; online: OnlineEntry[]; me: string }) {
  const t = useT()
  const onlineIds = new Set(online.map((o) => o.id))
  const roster = Object.entries(state.roster).sort((a, b) => a[1].name.localeCompare(b[1].name))
  const guests = dedupe(online.filter((o) => !(o.id in state.roster) && o.role !== 'observer'))
  const count = roster.filter(([id]) => onlineIds.has(id)).length + guests.length
  return (
    <div class="people">
      <p class="hint">{t('people.count', { online: count, total: roster.length + guests.length })}</p>
      <ul class="people-list">
        {guests.map((g) => (
          <li key={`g-${g.id}`}>
            <span class="presence on" aria-hidden="true" />
            <span class="name">{g.name}</span>
            <span class="badge">{t(g.role === 'facilitator' ? 'role.facilitator' : 'role.participant')}</span>
            <span class="sr-only">{t('people.online')}</span>
          </li>
        ))}
        {roster.map(([id, p]) => {
          const on = onlineIds.has(id)
          return (
            <li key={id} class={on ? '' : 'offline'}>
              <span class={`presence${on ? ' on' : ''}`} aria-hidden="true" />
              <span class="name">
                {p.name}
                {id === me ? ` (${t('people.you')})` : ''}
              </span>
              {p.role === 'facilitator' && <span class="badge">{t('role.facilitator')}</span>}
              {tagLabels(p.tags, t).map((label) => (
                <span class="tag" key={label}>
                  {label}
                </span>
              ))}
              <span class="sr-only">{on ? t('people.online') : t('people.offline')}</span>
            </li>
          )
        })}
      </ul>
    </div>
  )
}

const KINDS: Record<string, Key> = { supervisor: 'kind.supervisor', newcomer: 'kind.newcomer' }

/** A person's organisation and kind, in the viewer's language: what a group's mix is made of. */
export function tagLabels(tags: string[], t: (key: Key) => string): string[] {
  const org = tagValue(tags, 'org')
  const kind = tagValue(tags, 'kind')
  return [org, kind && (KINDS[kind] ? t(KINDS[kind]) : kind)].filter((v): v is string => !!v)
}

const dedupe = (list: OnlineEntry[]) => {
  const seen = new Set<string>()
  return list.filter((o) => (seen.has(o.id) ? false : (seen.add(o.id), true)))
}

/** Every screen once the facilitator has ended the session: it says so (the board stays
 *  readable behind it) and offers the summaries posted into the session. */
export function SessionEnded({ state, facilitator }: { state: ControlState; facilitator?: boolean }) {
  const t = useT()
  const [open, setOpen] = useState(false)
  return (
    <div class="ended-bar" data-testid="session-ended">
      <h2>{t('ended.title')}</h2>
      <p>{t(facilitator ? 'ended.facilitator' : 'ended.readOnly')}</p>
      <button type="button" onClick={() => setOpen(true)}>
        {t('ended.showSummary')}
      </button>
      {open && (
        <Dialog title={t('ended.summary')} onClose={() => setOpen(false)} wide>
          <Summaries state={state} />
        </Dialog>
      )}
    </div>
  )
}

/** Summaries posted by bots or the facilitator, their Markdown shown formatted (Markdown.tsx
 *  makes elements from it and never inserts HTML). */
export function Summaries({ state }: { state: ControlState }) {
  const t = useT()
  const { lang } = useI18n()
  if (state.summaries.length === 0) return <p class="hint">{t('summaries.none')}</p>
  return (
    <ol class="summaries" reversed>
      {[...state.summaries].reverse().map((s) => (
        <li key={s.id} class="summary" data-testid="summary">
          <p class="summary-meta">
            <strong>{s.author}</strong> · {new Date(s.posted_at).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' })}
          </p>
          <Markdown class="summary-text" source={s.markdown} level={3} />
        </li>
      ))}
    </ol>
  )
}
