// The pointer on the board: drag notes (the whole selection), move or resize a section, pan
// the empty canvas, or Shift+drag a marquee to select. The canvas captures the pointer, so a
// drag continues outside the element it started on; notes move once per animation frame
// while dragging and once more, as one undo step, when released.

import { useCallback, useRef, useState } from 'preact/hooks'
import { useT } from '../../i18n'
import type { BoardModel } from '../../lib/board'
import { pan, toWorld } from '../../lib/viewport'
import { announce } from '../common'
import { notesWithin, pastSlop, type Rect, resized, spanned } from './geometry'
import { toggled } from './notes'
import type { Live } from './types'
import type { Viewport } from './useViewport'

type Drag =
  | { kind: 'notes'; ids: string[]; startX: number; startY: number; applied: { x: number; y: number }; total: { x: number; y: number }; moved: boolean; pointer: number }
  | { kind: 'pan'; lastX: number; lastY: number; pointer: number }
  | { kind: 'marquee'; x0: number; y0: number; x1: number; y1: number; pointer: number }
  | { kind: 'section'; id: string; lastX: number; lastY: number; pointer: number; resize: boolean }

export function useDrag(
  model: BoardModel,
  display: boolean | undefined,
  live: Live,
  setSelected: (s: Set<string>) => void,
  setEditing: (id: string | null) => void,
  view: Viewport,
) {
  const t = useT()
  const { canvasRef, viewRef, ownView } = view
  const drag = useRef<Drag | null>(null)
  const moveFrame = useRef(0)
  const [marquee, setMarquee] = useState<Rect | null>(null)

  const onNotePointerDown = useCallback((e: PointerEvent, id: string) => {
    if (e.button !== 0 || live.current.editing === id) return
    e.stopPropagation()
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
    drag.current = { kind: 'notes', ids, startX: e.clientX, startY: e.clientY, applied: { x: 0, y: 0 }, total: { x: 0, y: 0 }, moved: false, pointer: e.pointerId }
  }, [])

  const onSectionPointerDown = useCallback((e: PointerEvent, id: string, resize: boolean) => {
    if (e.button !== 0 || live.current.readOnly || live.current.sectionLocked(id)) return
    e.stopPropagation()
    canvasRef.current?.setPointerCapture(e.pointerId)
    drag.current = { kind: 'section', id, lastX: e.clientX, lastY: e.clientY, pointer: e.pointerId, resize }
  }, [])

  const onCanvasPointerDown = (e: PointerEvent) => {
    if (display || e.button !== 0) return
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
    } else if (d.kind === 'notes') {
      const tx = (e.clientX - d.startX) / scale
      const ty = (e.clientY - d.startY) / scale
      if (!d.moved && !pastSlop({ x: d.startX, y: d.startY }, { x: e.clientX, y: e.clientY })) return
      d.moved = true
      d.total = { x: tx, y: ty }
      if (!moveFrame.current) {
        moveFrame.current = requestAnimationFrame(() => {
          moveFrame.current = 0
          const dd = drag.current
          if (!dd || dd.kind !== 'notes') return
          model.moveNotes(dd.ids, dd.total.x - dd.applied.x, dd.total.y - dd.applied.y, false)
          dd.applied = { ...dd.total }
        })
      }
    } else if (d.kind === 'section') {
      const dx = (e.clientX - d.lastX) / scale
      const dy = (e.clientY - d.lastY) / scale
      d.lastX = e.clientX
      d.lastY = e.clientY
      const s = model.sections.get(d.id)
      if (!s) return
      if (d.resize) model.updateSection(d.id, resized(s, dx, dy))
      else model.moveSection(d.id, dx, dy)
    }
  }

  const onPointerUp = (e: PointerEvent) => {
    const d = drag.current
    if (!d || d.pointer !== e.pointerId) return
    drag.current = null
    if (d.kind === 'notes') {
      if (moveFrame.current) {
        cancelAnimationFrame(moveFrame.current)
        moveFrame.current = 0
      }
      if (d.moved) {
        const scale = viewRef.current.scale
        const tx = (e.clientX - d.startX) / scale
        const ty = (e.clientY - d.startY) / scale
        model.moveNotes(d.ids, tx - d.applied.x, ty - d.applied.y, true)
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

  /** Give up the drag in progress (a second finger made it a pinch); notes stay where it
   *  took them, as one undo step. */
  const cancel = useCallback(() => {
    const d = drag.current
    drag.current = null
    setMarquee(null)
    if (moveFrame.current) {
      cancelAnimationFrame(moveFrame.current)
      moveFrame.current = 0
    }
    if (d?.kind === 'notes' && d.moved) model.moveNotes(d.ids, d.total.x - d.applied.x, d.total.y - d.applied.y, true)
  }, [model])

  return { marquee, cancel, onNotePointerDown, onSectionPointerDown, onCanvasPointerDown, onPointerMove, onPointerUp }
}
