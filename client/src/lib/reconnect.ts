// What the connection banner shows. The stock WebsocketProvider reconnects by itself; this
// decides when a drop is worth telling people about (not for a blip: nothing flashes), when
// it is over (quietly), and when retrying is pointless (the token was refused).

export type Health = 'connecting' | 'online' | 'offline' | 'refused'

export interface ConnectionView {
  health: Health
  banner: boolean // show the "connection lost, reconnecting" banner
  refusedCode: number | null
}

/** Close codes after which reconnecting cannot help (docs/protocol.md). */
export const FATAL_CODES = new Set([4401, 4403, 4404])

export class ConnectionMonitor {
  private state: Health = 'connecting'
  private lostAt: number | null = null
  private everSynced = false
  private code: number | null = null
  private timer: ReturnType<typeof setTimeout> | null = null

  constructor(
    private readonly onChange: (view: ConnectionView) => void,
    private readonly graceMs = 2000,
    private readonly now: () => number = () => Date.now(),
    private readonly schedule: (fn: () => void, ms: number) => ReturnType<typeof setTimeout> = (fn, ms) =>
      setTimeout(fn, ms),
    private readonly cancel: (t: ReturnType<typeof setTimeout>) => void = (t) => clearTimeout(t),
  ) {}

  get view(): ConnectionView {
    const banner =
      this.state === 'refused' ||
      (this.state !== 'online' && this.lostAt !== null && this.now() - this.lostAt >= this.graceMs)
    return { health: this.state, banner, refusedCode: this.code }
  }

  /** The provider is connected and its document is in sync with the server. */
  synced(): void {
    if (this.state === 'refused') return
    this.everSynced = true
    this.lostAt = null
    this.clearTimer()
    this.set('online')
  }

  /** The socket closed (or never opened). A fatal code stops the retries for good. */
  closed(code: number | null): boolean {
    if (code !== null && FATAL_CODES.has(code)) {
      this.code = code
      this.clearTimer()
      this.set('refused')
      return true
    }
    if (this.state === 'refused') return true
    if (this.lostAt === null) this.lostAt = this.now()
    this.set(this.everSynced ? 'offline' : 'connecting')
    if (this.timer === null) {
      this.timer = this.schedule(() => {
        this.timer = null
        this.onChange(this.view)
      }, this.graceMs)
    }
    return false
  }

  /** Trying again after a refusal that may have been for a moment (see BoardConnection.retry). */
  retrying(): void {
    this.code = null
    this.lostAt = null
    this.clearTimer()
    this.set(this.everSynced ? 'offline' : 'connecting')
  }

  dispose(): void {
    this.clearTimer()
  }

  private clearTimer(): void {
    if (this.timer !== null) this.cancel(this.timer)
    this.timer = null
  }

  private set(state: Health): void {
    this.state = state
    this.onChange(this.view)
  }
}

/** Exponential backoff with a ceiling, as the provider uses: for tests and for our REST retries. */
export function backoffMs(attempt: number, base = 100, max = 2500): number {
  return Math.min(max, base * 2 ** Math.max(0, attempt))
}
