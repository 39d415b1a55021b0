// The facilitator's overview of a round's rooms (GET …/breakouts/{round}/overview), polled
// while it is shown. The server answers 304 when nothing changed since the ETag it sent
// last, so an idle round costs a header each poll; a hidden tab stops polling.
import { useEffect, useState } from 'preact/hooks'
import type { Schemas } from './api'

export type RoomsOverview = Schemas['RoomsOverview']
export type RoomFacts = Schemas['RoomFacts']
export const POLL_MS = 2000

/** One poll: the new overview, or null when it is unchanged (304). */
export async function fetchOverview(sessionId: string, token: string, roundId: string, etag: string | null): Promise<{ body: RoomsOverview; etag: string | null } | null> {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` }
  if (etag) headers['If-None-Match'] = etag
  const path = `/api/sessions/${encodeURIComponent(sessionId)}/breakouts/${encodeURIComponent(roundId)}/overview`
  const res = await fetch(path, { headers })
  if (res.status === 304) return null
  if (!res.ok) throw new Error(`overview: ${res.status}`)
  return { body: (await res.json()) as RoomsOverview, etag: res.headers.get('ETag') }
}

/** The overview of `roundId`, kept current every `POLL_MS` while the page is visible. */
export function useOverview(sessionId: string, token: string, roundId: string): { overview: RoomsOverview | null; failed: boolean } {
  const [overview, setOverview] = useState<RoomsOverview | null>(null)
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    let etag: string | null = null
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const poll = async () => {
      if (!document.hidden) {
        try {
          const answer = await fetchOverview(sessionId, token, roundId, etag)
          if (stopped) return
          if (answer) {
            etag = answer.etag
            setOverview(answer.body)
          }
          setFailed(false)
        } catch {
          if (!stopped) setFailed(true)
        }
      }
      if (!stopped) timer = setTimeout(poll, POLL_MS)
    }
    void poll()
    return () => {
      stopped = true
      clearTimeout(timer)
    }
  }, [sessionId, token, roundId])
  return { overview, failed }
}
