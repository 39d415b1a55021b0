// This screen's motion in progress (motion.ts): drawn here every frame, shown to the others
// through awareness (paced by the connection, with the cursor), and written to the document once, as
// one transaction and one undo step, when the drag is dropped or the arrow keys pause.
// Cancelled, it writes nothing: the notes stay where they were, for everyone.

import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import type { BoardModel } from '../../lib/board'
import type { BoardConnection } from '../../lib/connection'
import { useLatest } from '../hooks'
import { resized } from './geometry'
import { dragState, extended, type Motion } from './motion'

/** How long the arrow keys rest before the notes they moved are written, in milliseconds. */
export const KEY_PAUSE_MS = 400

/** Write a finished motion: one transaction, an undo step of its own. */
function write(model: BoardModel, m: Motion): void {
  if (!m.dx && !m.dy) return
  model.ownStep(() => {
    if (m.kind === 'notes') model.moveNotes(m.ids, m.dx, m.dy, true)
    else if (m.kind === 'section') model.moveSection(m.id, m.dx, m.dy)
    else {
      const s = model.sections.get(m.id)
      if (s) model.updateSection(m.id, resized(s, m.dx, m.dy))
    }
  })
}

export function useMotion(model: BoardModel, connection: BoardConnection | null) {
  const connRef = useLatest(connection) // the handlers that call in here are made once
  const [local, setLocal] = useState<Motion | null>(null)
  const current = useRef<{ motion: Motion; keys: boolean } | null>(null)
  const frame = useRef(0)
  const pauseTimer = useRef(0)
  const shared = useRef(false)

  const clear = () => {
    current.current = null
    clearTimeout(pauseTimer.current)
    pauseTimer.current = 0
    if (frame.current) cancelAnimationFrame(frame.current)
    frame.current = 0
    setLocal(null)
    if (shared.current) connRef.current?.setDrag(null)
    shared.current = false
  }

  /** Draw `motion` (from `keys` or a pointer) and share it. */
  const show = (motion: Motion, keys = false) => {
    current.current = { motion, keys }
    if (!frame.current) {
      frame.current = requestAnimationFrame(() => {
        frame.current = 0
        setLocal(current.current?.motion ?? null)
      })
    }
    const conn = connRef.current
    if (!conn) return
    shared.current = true
    conn.setDrag(dragState(conn.board, motion, model.notes, model.sections))
  }

  /** Write the motion in progress, if any, and stop sharing it. */
  const commit = useCallback(() => {
    const c = current.current
    clear()
    if (c) write(model, c.motion)
  }, [model])

  /** Give the motion in progress up; whether there was one. */
  const cancel = useCallback((): boolean => {
    const had = current.current !== null
    clear()
    return had
  }, [model])

  /** Arrow keys: carry the keys' motion on (or start one), written once they rest. */
  const nudge = useCallback(
    (step: Motion): Motion => {
      const c = current.current
      if (c && !c.keys) return c.motion // a pointer drag is under way: it has the notes
      const carried = c && extended(c.motion, step)
      if (c && !carried) commit() // other notes now: the keys' earlier motion is written first
      const motion = carried || step
      show(motion, true)
      clearTimeout(pauseTimer.current)
      pauseTimer.current = window.setTimeout(commit, KEY_PAUSE_MS)
      return motion
    },
    [commit],
  )

  /** Anything else happens (another key, the focus leaves, a pointer presses): the arrow
   *  keys' motion is written first, so what follows acts on where the notes are. */
  const settleKeys = useCallback(() => {
    if (current.current?.keys) commit()
  }, [commit])

  useEffect(() => () => void cancel(), [cancel])

  return { local, show, commit, cancel, nudge, settleKeys }
}

export type MotionControl = ReturnType<typeof useMotion>
