// Two fingers on the canvas zoom and pan the board (the canvas sets `touch-action: none`, so
// the browser leaves the gesture to us). The listeners run in the capture phase: a second
// finger takes over from whatever the first one began (a pan, a note drag), and neither
// finger reaches a note or the canvas's own handlers until both are lifted.

import { useEffect } from 'preact/hooks'
import { type Pinch, pinchOf, pinched, type Point } from './geometry'
import type { Viewport } from './useViewport'

export function usePinch(view: Viewport, display: boolean | undefined, cancelDrag: () => void) {
  const { canvasRef, viewRef, ownView } = view
  useEffect(() => {
    const canvas = canvasRef.current
    if (!canvas || display) return
    const fingers = new Map<number, Point>()
    let last: Pinch | null = null
    const reading = (): Pinch => {
      const r = canvas.getBoundingClientRect()
      const [a, b] = [...fingers.values()]
      return pinchOf({ x: a.x - r.left, y: a.y - r.top }, { x: b.x - r.left, y: b.y - r.top })
    }
    const down = (e: PointerEvent) => {
      if (e.pointerType === 'mouse') return
      fingers.set(e.pointerId, { x: e.clientX, y: e.clientY })
      if (fingers.size === 2) {
        cancelDrag()
        last = reading()
      }
      if (fingers.size > 1) e.stopPropagation()
    }
    const move = (e: PointerEvent) => {
      if (!fingers.has(e.pointerId)) return
      fingers.set(e.pointerId, { x: e.clientX, y: e.clientY })
      if (!last) return
      e.stopPropagation()
      if (fingers.size !== 2) return
      const now = reading()
      ownView(pinched(viewRef.current, last, now))
      last = now
    }
    const up = (e: PointerEvent) => {
      if (!fingers.delete(e.pointerId)) return
      if (last) e.stopPropagation()
      if (fingers.size === 0) last = null // a finger left behind does not start a pan
    }
    const options = { capture: true }
    canvas.addEventListener('pointerdown', down, options)
    canvas.addEventListener('pointermove', move, options)
    canvas.addEventListener('pointerup', up, options)
    canvas.addEventListener('pointercancel', up, options)
    return () => {
      canvas.removeEventListener('pointerdown', down, options)
      canvas.removeEventListener('pointermove', move, options)
      canvas.removeEventListener('pointerup', up, options)
      canvas.removeEventListener('pointercancel', up, options)
    }
  }, [display, ownView, cancelDrag])
}
