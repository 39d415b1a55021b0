import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { activeLead, type Lead, Pacer, readLead } from '../src/lib/lead'

const lead = (over: Partial<Lead> = {}): Lead => ({ mode: 'follow', board: 'main', x: 10, y: -20, zoom: 0.5, by: 'facilitator', at: 1000, ...over })

describe('reading the lead from control', () => {
  it('reads what the server wrote, and nothing when nobody has led', () => {
    expect(readLead({ mode: 'bring', board: 'ideas', x: 1, y: 2, zoom: 1, by: 'p1', at: 5 })).toEqual({
      mode: 'bring',
      board: 'ideas',
      x: 1,
      y: 2,
      zoom: 1,
      by: 'p1',
      at: 5,
    })
    expect(readLead({})).toBeNull()
    expect(readLead({ mode: 'follow', board: 'main', x: 'far', y: 0, zoom: 1, at: 5 })).toBeNull()
    // stopped: mode null, the last view kept
    expect(readLead({ mode: null, board: 'main', x: 1, y: 2, zoom: 1, by: 'f', at: 9 })?.mode).toBeNull()
  })

  it('a participant who stopped following is not led by "follow", but is by "bring"', () => {
    expect(activeLead(lead(), false)).toEqual(lead())
    expect(activeLead(lead(), true)).toBeNull()
    expect(activeLead(lead({ mode: 'bring' }), true)?.mode).toBe('bring')
    expect(activeLead(lead({ mode: null }), false)).toBeNull()
    expect(activeLead(null, false)).toBeNull()
  })
})

describe('Pacer', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('sends the first value at once, then the latest at most once per interval', async () => {
    const sent: number[] = []
    const pacer = new Pacer<number>(300, async (v) => {
      sent.push(v)
    })
    pacer.push(1)
    expect(sent).toEqual([1])
    for (let i = 2; i <= 10; i++) {
      pacer.push(i)
      await vi.advanceTimersByTimeAsync(20)
    }
    expect(sent).toEqual([1]) // 180 ms later: still waiting
    await vi.advanceTimersByTimeAsync(200)
    expect(sent).toEqual([1, 10]) // only the latest, never the values in between
    await vi.advanceTimersByTimeAsync(1000)
    expect(sent).toEqual([1, 10])
  })

  it('waits for a send to finish before the next, and cancel drops what waits', async () => {
    const sent: number[] = []
    let finish: () => void = () => {}
    const pacer = new Pacer<number>(100, (v) => {
      sent.push(v)
      return new Promise<void>((resolve) => (finish = resolve))
    })
    pacer.push(1)
    pacer.push(2)
    await vi.advanceTimersByTimeAsync(500)
    expect(sent).toEqual([1]) // the first has not been answered yet
    finish()
    await vi.advanceTimersByTimeAsync(0)
    expect(sent).toEqual([1, 2])
    pacer.push(3)
    pacer.cancel()
    finish()
    await vi.advanceTimersByTimeAsync(500)
    expect(sent).toEqual([1, 2])
  })

  it('keeps going after a failed send', async () => {
    const sent: number[] = []
    const pacer = new Pacer<number>(50, async (v) => {
      sent.push(v)
      if (v === 1) throw new Error('offline')
    })
    pacer.push(1)
    pacer.push(2)
    await vi.advanceTimersByTimeAsync(100)
    expect(sent).toEqual([1, 2])
  })
})
