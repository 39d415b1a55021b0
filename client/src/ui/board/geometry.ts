// Where things are on the board, as plain arithmetic over views and boxes: what the pointer
// and the keyboard do to notes and sections, apart from the events that ask for it.

import { NOTE_H, NOTE_W, type NoteSnap } from '../../lib/board'
import { MIN_SCALE, pan, type View, zoomAt } from '../../lib/viewport'

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

/** The smallest target a finger hits reliably, in screen pixels (WCAG 2.5.5's 44 px). */
export const TAP_TARGET = 44

/** A note's text size at scale 1 (styles.css, `.note-text`), and the least a phone shows. */
const NOTE_TEXT_PX = 15
const READABLE_PX = 12

/** The smallest scale a fit may choose: on a touch screen, one where notes can be read and
 *  tapped (a pinch still zooms out further); anywhere else, whatever shows the whole board. */
export function smallestFitScale(touch: boolean): number {
  return touch ? Math.max(TAP_TARGET / Math.min(NOTE_W, NOTE_H), READABLE_PX / NOTE_TEXT_PX) : MIN_SCALE
}

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

/** Two fingers on the screen: the point midway between them and how far apart they are. */
export interface Pinch {
  mid: Point
  spread: number
}

export function pinchOf(a: Point, b: Point): Pinch {
  return { mid: { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 }, spread: Math.hypot(b.x - a.x, b.y - a.y) }
}

/** The view after two fingers moved from `before` to `after` (points on the canvas): the board
 *  moves with their midpoint and scales with their spread, so what was under them stays there. */
export function pinched(v: View, before: Pinch, after: Pinch): View {
  const moved = pan(v, after.mid.x - before.mid.x, after.mid.y - before.mid.y)
  return zoomAt(moved, after.mid.x, after.mid.y, after.spread / Math.max(before.spread, 1))
}
