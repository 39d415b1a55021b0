// Where things are on the board, as plain arithmetic over views and boxes: what the pointer
// and the keyboard do to notes and sections, apart from the events that ask for it.

import { NOTE_H, NOTE_W, type NoteSnap } from '../../lib/board'
import type { View } from '../../lib/viewport'

export interface Point {
  x: number
  y: number
}

export interface Rect {
  x: number
  y: number
  w: number
  h: number
}

/** How far a pressed pointer travels (in screen pixels) before a click becomes a drag. */
export const DRAG_SLOP = 4

/** The smallest a section may be resized to, so its title and handle stay usable. */
export const SECTION_MIN = { w: 160, h: 120 }

/** The screen margin a focused note is kept inside when the view follows it. */
const REVEAL_MARGIN = 24

const ARROWS: Record<string, Point> = {
  ArrowLeft: { x: -1, y: 0 },
  ArrowRight: { x: 1, y: 0 },
  ArrowUp: { x: 0, y: -1 },
  ArrowDown: { x: 0, y: 1 },
}

/** The step an arrow key stands for, `step` long; null for any other key. */
export function arrowDelta(key: string, step: number): [number, number] | null {
  const a = ARROWS[key]
  return a ? [a.x * step, a.y * step] : null
}

/** Whether a pointer pressed at one point and now at another has moved far enough to drag. */
export function pastSlop(from: Point, to: Point): boolean {
  return Math.hypot(to.x - from.x, to.y - from.y) >= DRAG_SLOP
}

/** A section's size grown by (dx, dy), never smaller than SECTION_MIN. */
export function resized(s: { w: number; h: number }, dx: number, dy: number): { w: number; h: number } {
  return { w: Math.max(SECTION_MIN.w, s.w + dx), h: Math.max(SECTION_MIN.h, s.h + dy) }
}

/** The rectangle spanned by two corners, whichever way the pointer went. */
export function spanned(a: Point, b: Point): Rect {
  return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(b.x - a.x), h: Math.abs(b.y - a.y) }
}

/** The ids of the notes that overlap the world rectangle from `a` (top left) to `b`. */
export function notesWithin(notes: Iterable<NoteSnap>, a: Point, b: Point): string[] {
  const ids: string[] = []
  for (const n of notes) if (n.x + NOTE_W > a.x && n.x < b.x && n.y + NOTE_H > a.y && n.y < b.y) ids.push(n.id)
  return ids
}

/** How far to pan so the note at world (x, y) is fully on a w×h screen; (0, 0) when it is. */
export function revealShift(v: View, note: Point, w: number, h: number): Point {
  const m = REVEAL_MARGIN
  const sx = note.x * v.scale + v.x
  const sy = note.y * v.scale + v.y
  let dx = 0
  let dy = 0
  if (sx < m) dx = m - sx
  else if (sx + NOTE_W * v.scale > w - m) dx = w - m - (sx + NOTE_W * v.scale)
  if (sy < m) dy = m - sy
  else if (sy + NOTE_H * v.scale > h - m) dy = h - m - (sy + NOTE_H * v.scale)
  return { x: dx, y: dy }
}
