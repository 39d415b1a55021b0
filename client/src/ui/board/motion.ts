// What is moving on a board before it is written: a drag, or a burst of arrow keys, on this
// screen or on someone else's. A motion is shown through awareness (the `drag` field,
// docs/protocol.md) while it lasts and written to the document once, when it ends, so a
// drag is one change in the board's history instead of one per animation frame.

import type { NoteSnap, SectionSnap } from '../../lib/board'
import { resized } from './geometry'

/** One motion in progress: notes moved, a section moved (its notes with it), a section resized. */
export type Motion =
  | { kind: 'notes'; ids: string[]; dx: number; dy: number }
  | { kind: 'section'; id: string; dx: number; dy: number }
  | { kind: 'resize'; id: string; dx: number; dy: number }

/** The awareness `drag` field: where the moving things are now, in world units. */
export interface DragState {
  board: string
  notes: Record<string, [number, number]>
  sections: Record<string, [number, number, number, number]>
}

/** The most notes one drag state lists, so it stays well inside the server's limit on an
 *  awareness state (max_presence_state_bytes, 4096 bytes of JSON): a note costs at most
 *  ~60 bytes, so 48 take under 3 KB beside the person's name and cursor. Notes past it
 *  still move on the mover's screen and land for everyone on the drop. */
export const MAX_DRAG_NOTES = 48

/** `m` carried on by `next` (arrow keys pressed again on the same notes or section), or
 *  null when `next` moves something else and is a motion of its own. */
export function extended(m: Motion, next: Motion): Motion | null {
  if (m.kind !== next.kind) return null
  const same = m.kind === 'notes' && next.kind === 'notes' ? sameIds(m.ids, next.ids) : 'id' in m && 'id' in next && m.id === next.id
  return same ? { ...next, dx: m.dx + next.dx, dy: m.dy + next.dy } : null
}

const sameIds = (a: string[], b: string[]) => a.length === b.length && a.every((id) => b.includes(id))

/** The drag state `m` stands for on `board`, from the notes and sections as the document has
 *  them, listing at most `limit` notes; integer coordinates keep it short. */
export function dragState(
  board: string,
  m: Motion,
  notes: ReadonlyMap<string, NoteSnap>,
  sections: ReadonlyMap<string, SectionSnap>,
  limit = MAX_DRAG_NOTES,
): DragState {
  const out: DragState = { board, notes: {}, sections: {} }
  const r = Math.round
  if (m.kind === 'notes') {
    let count = 0
    for (const id of m.ids) {
      const n = notes.get(id)
      if (!n || count >= limit) continue
      out.notes[id] = [r(n.x + m.dx), r(n.y + m.dy)]
      count++
    }
  } else {
    const s = sections.get(m.id)
    if (s) {
      const size = m.kind === 'resize' ? resized(s, m.dx, m.dy) : s
      const [dx, dy] = m.kind === 'resize' ? [0, 0] : [m.dx, m.dy]
      out.sections[m.id] = [r(s.x + dx), r(s.y + dy), r(size.w), r(size.h)]
    }
  }
  return out
}

/** The most entries a drag state read from someone else may hold; past it, it is ignored. */
const MAX_READ = 200

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

function entries<T extends number[]>(v: unknown, length: number): Record<string, T> | null {
  if (v === undefined) return {}
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null
  const list = Object.entries(v as Record<string, unknown>)
  if (list.length > MAX_READ) return null
  const out: Record<string, T> = {}
  for (const [id, p] of list) {
    if (Array.isArray(p) && p.length === length && p.every(finite)) out[id] = p as T
  }
  return out
}

/** Another screen's drag state on `board` as this client can use it, or null when there is
 *  none (or it is for another board, or malformed: awareness is anyone's to write). */
export function readDrag(v: unknown, board: string): DragState | null {
  if (!v || typeof v !== 'object') return null
  const d = v as Record<string, unknown>
  if (d.board !== board) return null
  const notes = entries<[number, number]>(d.notes, 2)
  const sections = entries<[number, number, number, number]>(d.sections, 4)
  if (!notes || !sections) return null
  return { board, notes, sections }
}

/** Who is moving something: the person's name and colour, or null for this screen. */
export interface Mover {
  name: string
  color: string
}

export interface Placed {
  notes: Map<string, { x: number; y: number; by: Mover | null; carried: boolean }> // carried: by its section
  sections: Map<string, { x: number; y: number; w: number; h: number; by: Mover | null }>
}

/** Where the notes and sections that are being moved are drawn: each drag's sections (a
 *  moved section takes the notes filed under it along), then its notes; later drags win,
 *  so this screen's own, given last, is never overdrawn. */
export function placed(
  drags: Iterable<{ state: DragState; by: Mover | null }>,
  notes: ReadonlyMap<string, NoteSnap>,
  sections: ReadonlyMap<string, SectionSnap>,
): Placed {
  const out: Placed = { notes: new Map(), sections: new Map() }
  for (const { state, by } of drags) {
    for (const [id, [x, y, w, h]] of Object.entries(state.sections)) {
      const s = sections.get(id)
      if (!s) continue
      out.sections.set(id, { x, y, w, h, by })
      const [dx, dy] = [x - s.x, y - s.y]
      if (!dx && !dy) continue
      for (const n of notes.values()) {
        if (n.section === id) out.notes.set(n.id, { x: n.x + dx, y: n.y + dy, by, carried: true })
      }
    }
    for (const [id, [x, y]] of Object.entries(state.notes)) {
      if (notes.has(id)) out.notes.set(id, { x, y, by, carried: false })
    }
  }
  return out
}
