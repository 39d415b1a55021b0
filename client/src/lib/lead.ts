// Where a facilitator leads everyone's view (docs/schema.md, control `lead`): "bring
// everyone to me" moves each participant's view once, "follow me" keeps it on the
// facilitator's view until they stop or the participant chooses to stop following.
// The server writes it on a facilitator's command; clients only read it.

export type LeadMode = 'follow' | 'bring'

export interface Lead {
  mode: LeadMode | null
  board: string
  x: number // world point at the centre of the facilitator's view
  y: number
  zoom: number
  by: string
  at: number // server epoch ms of the command
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

/** The `lead` map of control as a Lead, or null when nobody has led yet. */
export function readLead(raw: Record<string, unknown>): Lead | null {
  const { mode, board, x, y, zoom, by, at } = raw
  if (typeof board !== 'string' || !finite(at) || !finite(x) || !finite(y) || !finite(zoom)) return null
  return {
    mode: mode === 'follow' || mode === 'bring' ? mode : null,
    board,
    x,
    y,
    zoom,
    by: typeof by === 'string' ? by : '',
    at,
  }
}

/** The lead a participant's view goes by: none when nobody leads, or while they have
 *  stopped following (a "bring" still moves them once). */
export function activeLead(lead: Lead | null, stoppedFollowing: boolean): Lead | null {
  if (!lead?.mode) return null
  return lead.mode === 'follow' && stoppedFollowing ? null : lead
}

/** Sends the latest value at most once per `ms` and one at a time, so a facilitator's
 *  panning becomes a few commands a second that reach the server in order. */
export class Pacer<T> {
  private last = -Infinity
  private timer: ReturnType<typeof setTimeout> | null = null
  private pending: { value: T } | null = null
  private busy = false

  constructor(
    private readonly ms: number,
    private readonly send: (value: T) => Promise<unknown>,
  ) {}

  push(value: T): void {
    this.pending = { value }
    this.schedule()
  }

  cancel(): void {
    this.pending = null
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  private schedule(): void {
    if (this.timer || this.busy || !this.pending) return
    const wait = this.last + this.ms - Date.now()
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = null
        this.schedule()
      }, wait)
      return
    }
    const { value } = this.pending
    this.pending = null
    this.busy = true
    this.last = Date.now()
    this.send(value)
      .catch(() => {}) // the caller reports its own errors; the next value still goes
      .finally(() => {
        this.busy = false
        this.schedule()
      })
  }
}
