// Live cursors and drags: where the others on this board point and what they are moving
// (from Yjs awareness, read once per frame), and this screen's own pointer (the connection
// paces what it sends). The Lab display sends none: it is not a person.

import { useEffect, useState } from 'preact/hooks'
import type { BoardConnection, Presence } from '../../lib/connection'
import type { Point } from './geometry'
import { type DragState, type Mover, readDrag } from './motion'

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

/** What everyone but `self` is moving on `board`, and who moves it. */
export function othersDrags(states: Map<number, unknown>, self: number, board: string): Array<{ state: DragState; by: Mover }> {
  const list: Array<{ state: DragState; by: Mover }> = []
  states.forEach((s, clientId) => {
    if (clientId === self) return
    const st = s as { user?: Presence; drag?: unknown }
    const state = st.user ? readDrag(st.drag, board) : null
    if (state && st.user) list.push({ state, by: { name: String(st.user.name ?? ''), color: String(st.user.color ?? '') } })
  })
  return list
}

export function usePresence(conn: BoardConnection | null, display: boolean | undefined, toWorldFromEvent: (e: PointerEvent) => Point) {
  const [cursors, setCursors] = useState<Cursor[]>([])
  const [drags, setDrags] = useState<Array<{ state: DragState; by: Mover }>>([])

  useEffect(() => {
    if (!conn) return
    const aw = conn.awareness
    let frame = 0
    const read = () => {
      frame = 0
      setCursors(othersCursors(aw.getStates(), aw.clientID))
      setDrags(othersDrags(aw.getStates(), aw.clientID, conn.board))
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
    const p = toWorldFromEvent(e)
    conn.setCursor({ x: Math.round(p.x), y: Math.round(p.y) })
  }

  /** The pointer left the canvas: the others stop seeing it. */
  const hideCursor = () => {
    if (conn && !display) conn.setCursor(null)
  }

  return { cursors, drags, sendCursor, hideCursor }
}
