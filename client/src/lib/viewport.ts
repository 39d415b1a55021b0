// Pan and zoom: the board's world coordinates shown on screen as screen = world * scale + offset.

import type { Bounds } from './board'

export interface View {
  x: number // screen position of world origin
  y: number
  scale: number
}

export const MIN_SCALE = 0.05
export const MAX_SCALE = 4

export const clampScale = (s: number) => Math.min(MAX_SCALE, Math.max(MIN_SCALE, s))

export function toWorld(v: View, sx: number, sy: number): { x: number; y: number } {
  return { x: (sx - v.x) / v.scale, y: (sy - v.y) / v.scale }
}

export function toScreen(v: View, wx: number, wy: number): { x: number; y: number } {
  return { x: wx * v.scale + v.x, y: wy * v.scale + v.y }
}

/** Zoom by `factor` keeping the world point under screen point (sx, sy) where it is. */
export function zoomAt(v: View, sx: number, sy: number, factor: number): View {
  const scale = clampScale(v.scale * factor)
  const k = scale / v.scale
  return { scale, x: sx - (sx - v.x) * k, y: sy - (sy - v.y) * k }
}

export function pan(v: View, dx: number, dy: number): View {
  return { ...v, x: v.x + dx, y: v.y + dy }
}

/** The view that shows all of `b` inside a viewport of w×h with a margin; 1:1 at most. Not
 *  smaller than `minScale`: then what does not fit starts at the top left corner, centred
 *  along an axis where it does fit. */
export function fit(b: Bounds | null, w: number, h: number, margin = 40, maxScale = 1, minScale = MIN_SCALE): View {
  if (!b || w <= 0 || h <= 0) return { x: w / 2, y: h / 2, scale: 1 }
  const fits = Math.min((w - 2 * margin) / Math.max(b.w, 1), (h - 2 * margin) / Math.max(b.h, 1), maxScale)
  const scale = clampScale(Math.max(fits, Math.min(minScale, maxScale)))
  const place = (start: number, size: number, room: number) =>
    size * scale <= room - 2 * margin ? (room - size * scale) / 2 - start * scale : margin - start * scale
  return { scale, x: place(b.x, b.w, w), y: place(b.y, b.h, h) }
}

/** The world point at the centre of the viewport. */
export function centre(v: View, w: number, h: number): { x: number; y: number } {
  return toWorld(v, w / 2, h / 2)
}
