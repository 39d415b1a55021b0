// The board's viewport: which part of the world the canvas shows, and the ways to change it
// (pan, zoom, fit, follow a note). The view lives in a ref and is written straight to the
// world element's transform, so panning does not re-render every note.

import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import { type BoardModel, boundsOf } from '../../lib/board'
import { centre, fit, pan, toWorld, type View, zoomAt } from '../../lib/viewport'
import { type Point, revealShift, smallestFitScale } from './geometry'
import type { Focus } from './types'

export function useViewport(model: BoardModel, display: boolean | undefined, onViewChange?: (f: Focus) => void) {
  const canvasRef = useRef<HTMLDivElement>(null)
  const worldRef = useRef<HTMLDivElement>(null)
  const viewRef = useRef<View>({ x: 0, y: 0, scale: 1 })
  const [zoom, setZoom] = useState(100)

  const applyView = useCallback((v: View) => {
    viewRef.current = v
    const w = worldRef.current
    if (w) {
      w.style.transform = `translate(${v.x}px, ${v.y}px) scale(${v.scale})`
      w.style.setProperty('--inv', String(1 / v.scale))
    }
    setZoom(Math.round(v.scale * 100))
    const c = canvasRef.current
    if (c && onViewChange) {
      const mid = centre(v, c.clientWidth, c.clientHeight)
      onViewChange({ cx: mid.x, cy: mid.y, scale: v.scale })
    }
  }, [onViewChange])

  /** Whether the person moved the view on this board: their view then wins over the fit
   * made when a slow board first arrives (useAutoFit). */
  const own = useRef(false)
  useEffect(() => {
    own.current = false
  }, [model])

  /** A view change the person makes (pan, zoom, keys, pinch). */
  const ownView = useCallback((v: View) => {
    own.current = true
    applyView(v)
  }, [applyView])

  /** The canvas's size on screen (a guess before it is laid out). */
  const size = () => ({ w: canvasRef.current?.clientWidth ?? 800, h: canvasRef.current?.clientHeight ?? 600 })

  const fitAll = useCallback(() => {
    const { w, h } = size()
    const b = boundsOf(model.notes.values(), model.sections.values())
    const touch = !display && matchMedia('(pointer: coarse)').matches
    applyView(fit(b, w, h, display ? 24 : 48, display ? 2 : 1, smallestFitScale(touch)))
  }, [model, display, applyView])

  const zoomBy = (factor: number) => {
    const { w, h } = size()
    ownView(zoomAt(viewRef.current, w / 2, h / 2, factor))
  }

  /** Pan just enough to bring a note at world point `n` (its top left) fully on screen,
   *  after a keyboard move or focus. */
  const ensureVisible = (n: Point) => {
    const { w, h } = size()
    const d = revealShift(viewRef.current, n, w, h)
    if (d.x || d.y) applyView(pan(viewRef.current, d.x, d.y))
  }

  /** The world point under a pointer event. */
  const toWorldFromEvent = (e: { clientX: number; clientY: number }): Point => {
    const r = canvasRef.current!.getBoundingClientRect()
    return toWorld(viewRef.current, e.clientX - r.left, e.clientY - r.top)
  }

  useLayoutEffect(() => {
    if (!worldRef.current) return
    applyView(viewRef.current)
  }, [])

  // the wheel pans, and zooms with Ctrl or ⌘ (a trackpad's pinch arrives as Ctrl+wheel)
  useEffect(() => {
    const c = canvasRef.current
    if (!c || display) return
    const onWheel = (e: WheelEvent) => {
      e.preventDefault()
      const r = c.getBoundingClientRect()
      if (e.ctrlKey || e.metaKey) {
        ownView(zoomAt(viewRef.current, e.clientX - r.left, e.clientY - r.top, Math.exp(-e.deltaY * 0.01)))
      } else {
        ownView(pan(viewRef.current, -e.deltaX, -e.deltaY))
      }
    }
    c.addEventListener('wheel', onWheel, { passive: false })
    return () => c.removeEventListener('wheel', onWheel)
  }, [display, ownView])

  return { canvasRef, worldRef, viewRef, zoom, applyView, ownView, own, size, fitAll, zoomBy, ensureVisible, toWorldFromEvent }
}

export type Viewport = ReturnType<typeof useViewport>
