// The server's clock as seen from this browser. Timers in `control` are server epoch ms;
// a client shows `ends_at - serverNow()`, so a laptop whose clock is off still counts right.

export interface Sample {
  offset: number // server time minus local time, ms
  rtt: number // round trip of the request, ms
}

/** One request's estimate: the server read its clock half-way through the round trip. */
export function sampleOffset(sentAt: number, serverNow: number, receivedAt: number): Sample {
  const rtt = Math.max(0, receivedAt - sentAt)
  return { offset: Math.round(serverNow - (sentAt + rtt / 2)), rtt }
}

/** The sample with the shortest round trip is the least distorted by queueing. */
export function bestOffset(samples: Sample[]): number {
  if (samples.length === 0) return 0
  return samples.reduce((best, s) => (s.rtt < best.rtt ? s : best)).offset
}

type Fetch = (url: string) => Promise<{ ok: boolean; json(): Promise<unknown> }>

export class Clock {
  offset = 0
  measured = false

  constructor(
    private readonly now: () => number = () => Date.now(),
    private readonly fetcher: Fetch = (url) => fetch(url, { cache: 'no-store' }),
  ) {}

  serverNow(): number {
    return this.now() + this.offset
  }

  /** Ask GET /api/time a few times; keep the local clock (offset 0) if the server won't say. */
  async sync(url = '/api/time', samples = 3): Promise<number> {
    const got: Sample[] = []
    for (let i = 0; i < samples; i++) {
      const sentAt = this.now()
      try {
        const res = await this.fetcher(url)
        if (!res.ok) continue
        const body = (await res.json()) as { now?: unknown }
        const receivedAt = this.now()
        if (typeof body.now === 'number') got.push(sampleOffset(sentAt, body.now, receivedAt))
      } catch {
        // offline: try the next sample, or keep what we had
      }
    }
    if (got.length > 0) {
      this.offset = bestOffset(got)
      this.measured = true
    }
    return this.offset
  }
}

export const clock = new Clock()
