// Pure timer logic over the `timers` entries of `control` (docs/schema.md).

export type TimerState = 'idle' | 'running' | 'paused' | 'ended'

export interface Timer {
  id: string
  label: string
  room: string | null
  state: TimerState
  duration_ms: number
  remaining_ms: number
  ends_at: number | null
  ended_at: number | null
  /** When it was last started or resumed (null: never started). */
  since?: number | null
}

/** Milliseconds left at server time `now` (never negative). */
export function remainingMs(timer: Timer, now: number): number {
  if (timer.state === 'ended') return 0
  if (timer.state === 'running' && timer.ends_at !== null) return Math.max(0, timer.ends_at - now)
  return Math.max(0, timer.remaining_ms)
}

/** "4:05", "0:09", "1:02:03": whole seconds, rounded up so 0:00 means really ended. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  const ss = String(s).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
}

/** Spoken form for screen readers: minutes and seconds as numbers. */
export function clockParts(ms: number): { minutes: number; seconds: number } {
  const total = Math.max(0, Math.ceil(ms / 1000))
  return { minutes: Math.floor(total / 60), seconds: total % 60 }
}

export type Milestone = 'five' | 'one' | 'ended'

const MARKS: Array<[number, Milestone]> = [
  [5 * 60_000, 'five'],
  [60_000, 'one'],
]

/**
 * The milestone crossed between two readings of the same timer, if any: five minutes
 * left, one minute left, ended. `prev` null means the first reading: nothing is announced
 * for a timer we only just saw (a late joiner hears no stale "one minute left").
 */
export function crossedMilestone(
  prev: { state: TimerState; remaining: number } | null,
  next: { state: TimerState; remaining: number },
): Milestone | null {
  if (prev === null) return null
  const left = next.state === 'ended' ? 0 : next.remaining
  // once: the local countdown reaching 0 and the server's "ended" that follows are one event
  if (left <= 0 && prev.remaining > 0 && prev.state !== 'ended') return 'ended'
  if (next.state !== 'running') return null
  for (const [mark, name] of MARKS) {
    if (prev.remaining > mark && next.remaining <= mark && next.remaining > 0) {
      // only when the reading is near the mark: adding time back above it and losing it
      // again still counts, a jump from 20 minutes straight to 30 s does not say "5 min"
      if (mark - next.remaining < 30_000) return name
    }
  }
  return null
}

// A timer stored before `since` existed counts as started at 0 unless it is idle.
const sinceOf = (t: Timer): number | null => (t.since !== undefined ? t.since : t.state === 'idle' ? null : 0)

/**
 * The session's timer, the one the top bar, the facilitator's panel and the Lab display show
 * and the controls act on (docs/schema.md, "Which timer is shown"): the session-wide timer
 * started or resumed last. Pausing or resetting it keeps it shown; once ended it stays
 * shown ("time's up") until another starts.
 */
export function shownTimer(timers: Timer[]): Timer | null {
  let best: Timer | null = null
  for (const t of timers) {
    const since = sinceOf(t)
    if (t.room !== null || since === null) continue
    const bestSince = best ? (sinceOf(best) ?? 0) : -1
    if (!best || since > bestSince || (since === bestSince && t.id > best.id)) best = t
  }
  return best
}

/** The timer one person sees: their breakout room's while they are in one, else the session's. */
export function visibleTimer(timers: Timer[], room: string | null): Timer | null {
  const own = room ? timers.find((t) => t.room === room && t.state !== 'idle') : undefined
  return own ?? shownTimer(timers)
}
