// Live cursors: where the others on this board point (from Yjs awareness, read once per
// frame), and this screen's own pointer sent at most every CURSOR_INTERVAL_MS. The Lab
// display sends none: it is not a person.

import { useEffect, useRef, useState } from 'preact/hooks'
import type { BoardConnection, Presence } from '../../lib/connection'
import type { Point } from './geometry'

/** The fastest this screen sends its cursor, in milliseconds. */
const CURSOR_INTERVAL_MS = 50

export type Cursor = Presence & { clientId: number; x: number; y: number }

/** The cursors of everyone but `self` in awareness states that carry a person and a point. */
export function othersCursors(states: Map<number, unknown>, self: number): Cursor[] {
  const list: Cursor[] = []
  states.forEach((s, clientId) => {
    if (clientId === self) return
    const st = s as { user?: Presence; cursor?: { x: number; y: number } | null }
    if (st.user && st.cursor && Number.isFinite(st.cursor.x) && Number.isFinite(st.cursor.y)) {
      list.push({ ...st.user, clientId, x: st.cursor.x, y: st.cursor.y })
    }
  })
  return list
}

export function usePresence(conn: BoardConnection | null, display: boolean | undefined, toWorldFromEvent: (e: PointerEvent) => Point) {
  const [cursors, setCursors] = useState<Cursor[]>([])
  const lastSent = useRef(0)

  useEffect(() => {
    if (!conn) return
    const aw = conn.awareness
    let frame = 0
    const read = () => {
      frame = 0
      setCursors(othersCursors(aw.getStates(), aw.clientID))
    }
    const onChange = () => {
      if (!frame) frame = requestAnimationFrame(read)
    }
    aw.on('change', onChange)
    read()
    return () => {
      aw.off('change', onChange)
      if (frame) cancelAnimationFrame(frame)
    }
  }, [conn])

  const sendCursor = (e: PointerEvent) => {
    if (!conn || display) return
    const now = performance.now()
    if (now - lastSent.current < CURSOR_INTERVAL_MS) return
    lastSent.current = now
    const p = toWorldFromEvent(e)
    conn.setCursor({ x: Math.round(p.x), y: Math.round(p.y) })
  }

  /** The pointer left the canvas: the others stop seeing it. */
  const hideCursor = () => conn && !display && conn.setCursor(null)

  return { cursors, sendCursor, hideCursor }
}
