import { describe, expect, it } from 'vitest'
import { backoffMs, ConnectionMonitor, type ConnectionView } from '../src/lib/reconnect'

function harness() {
  let now = 0
  const timers: Array<{ at: number; fn: () => void }> = []
  const views: ConnectionView[] = []
  const monitor = new ConnectionMonitor(
    (v) => views.push(v),
    2000,
    () => now,
    (fn, ms) => {
      const t = { at: now + ms, fn }
      timers.push(t)
      return t as unknown as ReturnType<typeof setTimeout>
    },
    (t) => {
      const i = timers.indexOf(t as unknown as { at: number; fn: () => void })
      if (i >= 0) timers.splice(i, 1)
    },
  )
  const advance = (ms: number) => {
    now += ms
    for (const t of [...timers]) {
      if (t.at <= now) {
        timers.splice(timers.indexOf(t), 1)
        t.fn()
      }
    }
  }
  return { monitor, views, advance, last: () => views[views.length - 1] }
}

describe('connection banner', () => {
  it('stays quiet for a blip shorter than the grace period', () => {
    const h = harness()
    h.monitor.synced()
    h.monitor.closed(1006)
    expect(h.last().banner).toBe(false)
    h.advance(500)
    h.monitor.synced()
    h.advance(5000)
    expect(h.views.some((v) => v.banner)).toBe(false)
    expect(h.last().health).toBe('online')
  })

  it('shows the banner after the grace period and hides it quietly on re-sync', () => {
    const h = harness()
    h.monitor.synced()
    h.monitor.closed(1006)
    h.advance(2100)
    expect(h.last()).toEqual({ health: 'offline', banner: true, refusedCode: null })
    h.monitor.closed(1006) // further failed attempts change nothing
    h.monitor.synced()
    expect(h.last()).toEqual({ health: 'online', banner: false, refusedCode: null })
  })

  it('gives up for good on 4401, 4403 and 4404', () => {
    for (const code of [4401, 4403, 4404]) {
      const h = harness()
      h.monitor.synced()
      expect(h.monitor.closed(code)).toBe(true)
      expect(h.last()).toEqual({ health: 'refused', banner: true, refusedCode: code })
      h.monitor.synced() // a late sync event does not hide the refusal
      expect(h.last().health).toBe('refused')
    }
  })

  it('says "connecting" before the first sync rather than "lost"', () => {
    const h = harness()
    h.monitor.closed(null)
    expect(h.last().health).toBe('connecting')
  })

  it('backs off exponentially up to a ceiling', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((n) => backoffMs(n))).toEqual([100, 200, 400, 800, 1600, 2500, 2500])
  })
})
