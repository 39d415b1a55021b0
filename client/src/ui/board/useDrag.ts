// The pointer on the board: drag notes (the whole selection), move or resize a section, pan
// the empty canvas, or Shift+drag a marquee to select. The canvas captures the pointer, so a
// drag continues outside the element it started on. A drag of notes or a section is a
// motion (useMotion): shown while it lasts, written once when released; Escape, a pointer
// cancel or a second finger give it up and write nothing.

import { useCallback, useRef, useState } from 'preact/hooks'
import { useT } from '../../i18n'
import type { BoardModel } from '../../lib/board'
import { pan, toWorld } from '../../lib/viewport'
import { announce } from '../common'
import { notesWithin, pastSlop, type Rect, spanned } from './geometry'
import { toggled } from './notes'
import type { Motion } from './motion'
import type { Live } from './types'
import type { MotionControl } from './useMotion'
import type { Viewport } from './useViewport'

type Drag =
  | { kind: 'notes'; ids: string[]; startX: number; startY: number; moved: boolean; pointer: number }
  | { kind: 'pan'; lastX: number; lastY: number; pointer: number }
  | { kind: 'marquee'; x0: number; y0: number; x1: number; y1: number; pointer: number }
  | { kind: 'section'; id: string; startX: number; startY: number; moved: boolean; pointer: number; resize: boolean }

/** The motion a drag of notes or a section stands for with the pointer at (x, y). */
function motionOf(d: Extract<Drag, { kind: 'notes' | 'section' }>, x: number, y: number, scale: number): Motion {
  const dx = (x - d.startX) / scale
  const dy = (y - d.startY) / scale
  if (d.kind === 'notes') return { kind: 'notes', ids: d.ids, dx, dy }
  return { kind: d.resize ? 'resize' : 'section', id: d.id, dx, dy }
}

export function useDrag(
  model: BoardModel,
  display: boolean | undefined,
  live: Live,
  setSelected: (s: Set<string>) => void,
  setEditing: (id: string | null) => void,
  view: Viewport,
  motion: MotionControl,
) {
  const t = useT()
  const { canvasRef, viewRef, ownView } = view
  const drag = useRef<Drag | null>(null)
  const [marquee, setMarquee] = useState<Rect | null>(null)

  const onNotePointerDown = useCallback((e: PointerEvent, id: string) => {
    if (e.button !== 0 || live.current.editing === id) return
    e.stopPropagation()
    motion.settleKeys()
    const sel = live.current.selected
    let ids: string[]
    if (e.shiftKey || e.metaKey || e.ctrlKey) {
      const next = toggled(sel, id)
      setSelected(next)
      ids = [...next]
    } else if (sel.has(id)) {
      ids = [...sel]
    } else {
      setSelected(new Set([id]))
      ids = [id]
    }
    ;(e.currentTarget as HTMLElement).focus({ preventScroll: true })
    if (live.current.readOnly || !ids.includes(id) || live.current.fixed(ids)) return
    canvasRef.current?.setPointerCapture(e.pointerId)
    drag.current = { kind: 'notes', ids, startX: e.clientX, startY: e.clientY, moved: false, pointer: e.pointerId }
  }, [])

  const onSectionPointerDown = useCallback((e: PointerEvent, id: string, resize: boolean) => {
    if (e.button !== 0 || live.current.readOnly || live.current.sectionLocked(id)) return
    e.stopPropagation()
    motion.settleKeys()
    canvasRef.current?.setPointerCapture(e.pointerId)
    drag.current = { kind: 'section', id, startX: e.clientX, startY: e.clientY, moved: false, pointer: e.pointerId, resize }
  }, [])

  const onCanvasPointerDown = (e: PointerEvent) => {
    if (display || e.button !== 0) return
    motion.settleKeys()
    if (live.current.editing) setEditing(null)
    canvasRef.current?.setPointerCapture(e.pointerId)
    if (e.shiftKey) {
      const r = canvasRef.current!.getBoundingClientRect()
      const x = e.clientX - r.left
      const y = e.clientY - r.top
      drag.current = { kind: 'marquee', x0: x, y0: y, x1: x, y1: y, pointer: e.pointerId }
    } else {
      setSelected(new Set())
      drag.current = { kind: 'pan', lastX: e.clientX, lastY: e.clientY, pointer: e.pointerId }
    }
  }

  const onPointerMove = (e: PointerEvent) => {
    const d = drag.current
    if (!d || d.pointer !== e.pointerId) return
    const scale = viewRef.current.scale
    if (d.kind === 'pan') {
      ownView(pan(viewRef.current, e.clientX - d.lastX, e.clientY - d.lastY))
      d.lastX = e.clientX
      d.lastY = e.clientY
    } else if (d.kind === 'marquee') {
      const r = canvasRef.current!.getBoundingClientRect()
      d.x1 = e.clientX - r.left
      d.y1 = e.clientY - r.top
      setMarquee(spanned({ x: d.x0, y: d.y0 }, { x: d.x1, y: d.y1 }))
    } else {
      if (!d.moved && !pastSlop({ x: d.startX, y: d.startY }, { x: e.clientX, y: e.clientY })) return
      d.moved = true
      motion.show(motionOf(d, e.clientX, e.clientY, scale))
    }
  }

  const onPointerUp = (e: PointerEvent) => {
    const d = drag.current
    if (!d || d.pointer !== e.pointerId) return
    drag.current = null
    if (d.kind === 'notes' || d.kind === 'section') {
      if (d.moved) {
        motion.show(motionOf(d, e.clientX, e.clientY, viewRef.current.scale))
        motion.commit()
      }
    } else if (d.kind === 'marquee') {
      setMarquee(null)
      const v = viewRef.current
      const a = toWorld(v, Math.min(d.x0, d.x1), Math.min(d.y0, d.y1))
      const b = toWorld(v, Math.max(d.x0, d.x1), Math.max(d.y0, d.y1))
      const ids = notesWithin(model.notes.values(), a, b)
      setSelected(new Set([...live.current.selected, ...ids]))
      if (ids.length) announce(t('note.selectedCount', { count: ids.length }))
    }
  }

  /** Give up the drag in progress (Escape, a pointer cancel, a second finger that makes it
   *  a pinch) and any motion not yet written; whether there was something to give up. */
  const cancel = useCallback((): boolean => {
    const d = drag.current
    drag.current = null
    setMarquee(null)
    return motion.cancel() || d !== null
  }, [motion.cancel])

  return { marquee, cancel, onNotePointerDown, onSectionPointerDown, onCanvasPointerDown, onPointerMove, onPointerUp }
}
