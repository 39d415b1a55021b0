import { describe, expect, it } from 'vitest'
import { bestOffset, Clock, sampleOffset } from '../src/lib/clock'

describe('clock offset from GET /api/time', () => {
  it('assumes the server read its clock half-way through the round trip', () => {
    expect(sampleOffset(1000, 6050, 1100)).toEqual({ offset: 5000, rtt: 100 })
  })

  it('trusts the sample with the shortest round trip', () => {
    expect(bestOffset([{ offset: 900, rtt: 400 }, { offset: 1000, rtt: 20 }, { offset: 1100, rtt: 300 }])).toBe(1000)
    expect(bestOffset([])).toBe(0)
  })

  it('measures a laptop whose clock runs 90 s slow', async () => {
    let local = 1_000_000
    const serverAhead = 90_000
    const clock = new Clock(
      () => local,
      async () => {
        local += 10 // the request takes 20 ms, the server answers in the middle
        const now = local + serverAhead
        local += 10
        return { ok: true, json: async () => ({ now }) }
      },
    )
    expect(await clock.sync('/api/time', 3)).toBe(serverAhead)
    expect(clock.serverNow()).toBe(local + serverAhead)
    expect(clock.measured).toBe(true)
  })

  it('keeps the local clock when the server cannot be reached', async () => {
    const clock = new Clock(
      () => 5,
      async () => {
        throw new Error('offline')
      },
    )
    expect(await clock.sync()).toBe(0)
    expect(clock.measured).toBe(false)
    expect(clock.serverNow()).toBe(5)
  })

  it('ignores answers that are not a clock', async () => {
    const clock = new Clock(() => 0, async () => ({ ok: true, json: async () => ({ now: 'soon' }) }))
    expect(await clock.sync()).toBe(0)
  })
})
