import { describe, expect, it } from 'vitest'
import { crossedMilestone, formatClock, remainingMs, shownTimer, type Timer, visibleTimer } from '../src/lib/timer'

const timer = (over: Partial<Timer>): Timer => ({
  id: 't1',
  label: '',
  room: null,
  state: 'running',
  duration_ms: 600_000,
  remaining_ms: 600_000,
  ends_at: 1_000_000,
  ended_at: null,
  ...over,
})

describe('timer display', () => {
  it('counts down to ends_at on the server clock', () => {
    expect(remainingMs(timer({}), 1_000_000 - 65_000)).toBe(65_000)
    expect(remainingMs(timer({}), 1_000_500)).toBe(0)
  })

  it('shows what is left for a paused or idle timer, and zero once ended', () => {
    expect(remainingMs(timer({ state: 'paused', ends_at: null, remaining_ms: 42_000 }), 0)).toBe(42_000)
    expect(remainingMs(timer({ state: 'idle', ends_at: null, remaining_ms: 300_000 }), 0)).toBe(300_000)
    expect(remainingMs(timer({ state: 'ended', ends_at: null, remaining_ms: 0 }), 0)).toBe(0)
  })

  it('formats minutes and seconds, rounding up so 0:00 means over', () => {
    expect(formatClock(0)).toBe('0:00')
    expect(formatClock(1)).toBe('0:01')
    expect(formatClock(59_001)).toBe('1:00')
    expect(formatClock(65_000)).toBe('1:05')
    expect(formatClock(600_000)).toBe('10:00')
    expect(formatClock(3_723_000)).toBe('1:02:03')
    expect(formatClock(-5)).toBe('0:00')
  })
})

describe('timer milestones', () => {
  const run = (remaining: number) => ({ state: 'running' as const, remaining })

  it('announces five minutes, one minute and the end once each', () => {
    const readings = [400_000, 301_000, 299_500, 200_000, 61_000, 59_800, 30_000, 500, 0, 0]
    const said = []
    let prev = null
    for (const r of readings) {
      const m = crossedMilestone(prev, run(r))
      if (m) said.push(m)
      prev = run(r)
    }
    expect(said).toEqual(['five', 'one', 'ended'])
  })

  it('says nothing for a timer seen for the first time (a late joiner)', () => {
    expect(crossedMilestone(null, run(59_000))).toBeNull()
  })

  it('treats the server ending the timer after the local countdown as the same event', () => {
    expect(crossedMilestone(run(0), { state: 'ended', remaining: 0 })).toBeNull()
    expect(crossedMilestone(run(800), { state: 'ended', remaining: 0 })).toBe('ended')
  })

  it('says only what is true when time jumps (e.g. the facilitator took time away)', () => {
    expect(crossedMilestone(run(1_200_000), run(50_000))).toBe('one')
    expect(crossedMilestone(run(1_200_000), run(20_000))).toBeNull()
  })

  it('is quiet while paused', () => {
    expect(crossedMilestone(run(301_000), { state: 'paused', remaining: 299_000 })).toBeNull()
  })
})

describe('which timer a person sees', () => {
  const session = timer({ id: 'agenda' })
  const room = timer({ id: 'r1-breakout-1', room: 'breakout-1', ends_at: 900_000 })
  it('shows their room timer in a breakout, the session timer elsewhere', () => {
    expect(visibleTimer([session, room], 'breakout-1')?.id).toBe('r1-breakout-1')
    expect(visibleTimer([session, room], null)?.id).toBe('agenda')
    expect(visibleTimer([session, room], 'breakout-2')?.id).toBe('agenda')
  })
  it('shows the session timer started or resumed last, whatever its state', () => {
    // the sequence of issue 13: the agenda item's timer, then a coffee break from the Timer tab
    const agenda = timer({ id: 'agenda', since: 100 })
    const coffee = timer({ id: 'coffee', label: 'Kahvitauko', since: 200 })
    expect(shownTimer([agenda, coffee])?.id).toBe('coffee')
    const paused = { ...coffee, state: 'paused' as const, ends_at: null }
    expect(shownTimer([agenda, paused])?.id).toBe('coffee') // the pause acts on what is shown
    const resumed = { ...agenda, since: 300 }
    expect(shownTimer([resumed, paused])?.id).toBe('agenda')
    // a paused timer does not hide one that just ended; a later timer's end shows its own label
    const short = timer({ id: 'short', label: '12 s', state: 'ended', remaining_ms: 0, ends_at: null, since: 400 })
    expect(shownTimer([paused, resumed, short])?.label).toBe('12 s')
  })
  it('shows no timer that was never started, and a reset one until another starts', () => {
    const idle = timer({ id: 'idle', state: 'idle', ends_at: null, since: null })
    expect(shownTimer([idle])).toBeNull()
    expect(visibleTimer([idle, session], null)?.id).toBe('agenda')
    const reset = timer({ id: 'reset', state: 'idle', ends_at: null, since: 5 })
    expect(shownTimer([reset])?.id).toBe('reset')
    expect(visibleTimer([], null)).toBeNull()
  })
})
