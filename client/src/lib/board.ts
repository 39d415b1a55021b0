// A board document (docs/schema.md, fixed): Y.Map "notes" and Y.Map "sections". This
// module turns it into plain snapshots for rendering and offers the edits the UI makes.

import * as Y from 'yjs'

export interface NoteSnap {
  id: string
  text: string
  x: number
  y: number
  color: string
  section: string | null
  author: string
  author_name: string
  created_at: number
}

export interface SectionSnap {
  id: string
  title: string
  titles?: Record<string, string> | null // a template's section: its title in every language
  x: number
  y: number
  w: number
  h: number
  color: string
}

export const NOTE_W = 180
export const NOTE_H = 120
export const NOTE_COLORS = ['yellow', 'pink', 'blue', 'green', 'orange', 'purple'] as const
export const SECTION_COLORS = ['grey', 'blue', 'green', 'yellow'] as const

export interface Author {
  id: string
  name: string
}

const num = (v: unknown, fallback = 0) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback)
const str = (v: unknown, fallback = '') => (typeof v === 'string' ? v : fallback)

export function newId(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) return crypto.randomUUID()
  return Math.random().toString(36).slice(2) + Date.now().toString(36)
}

export function readNote(id: string, m: Y.Map<unknown>): NoteSnap {
  const text = m.get('text')
  return {
    id,
    text: text instanceof Y.Text ? text.toString() : str(text),
    x: num(m.get('x')),
    y: num(m.get('y')),
    color: str(m.get('color'), 'yellow'),
    section: typeof m.get('section') === 'string' ? (m.get('section') as string) : null,
    author: str(m.get('author')),
    author_name: str(m.get('author_name')),
    created_at: num(m.get('created_at')),
  }
}

export function readSection(id: string, m: Y.Map<unknown>): SectionSnap {
  return {
    id,
    title: str(m.get('title')),
    titles: readTitles(m.get('titles')),
    x: num(m.get('x')),
    y: num(m.get('y')),
    w: Math.max(80, num(m.get('w'), 400)),
    h: Math.max(80, num(m.get('h'), 300)),
    color: str(m.get('color'), 'grey'),
  }
}

function readTitles(v: unknown): Record<string, string> | null {
  const plain = v instanceof Y.Map ? v.toJSON() : v
  if (!plain || typeof plain !== 'object') return null
  const out: Record<string, string> = {}
  for (const [k, t] of Object.entries(plain as Record<string, unknown>)) if (typeof t === 'string') out[k] = t
  return out
}

/** A section's title in the viewer's language while it is still the one a template gave
 *  it; once someone renames it, as they wrote it. */
export function sectionTitle(s: SectionSnap, lang: string): string {
  const titles = s.titles
  return titles && Object.values(titles).includes(s.title) ? titles[lang] || s.title : s.title
}

/** The smallest edit turning `from` into `to`: one delete and one insert at one index. */
export function textDiff(from: string, to: string): { index: number; remove: number; insert: string } {
  let start = 0
  const max = Math.min(from.length, to.length)
  while (start < max && from[start] === to[start]) start++
  let end = 0
  while (end < max - start && from[from.length - 1 - end] === to[to.length - 1 - end]) end++
  return { index: start, remove: from.length - start - end, insert: to.slice(start, to.length - end) }
}

export interface Bounds {
  x: number
  y: number
  w: number
  h: number
}

export function boundsOf(notes: Iterable<NoteSnap>, sections: Iterable<SectionSnap> = []): Bounds | null {
  let minX = Infinity
  let minY = Infinity
  let maxX = -Infinity
  let maxY = -Infinity
  for (const n of notes) {
    minX = Math.min(minX, n.x)
    minY = Math.min(minY, n.y)
    maxX = Math.max(maxX, n.x + NOTE_W)
    maxY = Math.max(maxY, n.y + NOTE_H)
  }
  for (const s of sections) {
    minX = Math.min(minX, s.x)
    minY = Math.min(minY, s.y)
    maxX = Math.max(maxX, s.x + s.w)
    maxY = Math.max(maxY, s.y + s.h)
  }
  if (minX === Infinity) return null
  return { x: minX, y: minY, w: maxX - minX, h: maxY - minY }
}

/** The section a note at (x, y) belongs to: the one whose area holds the note's centre,
 *  the smallest when several do (a section drawn inside another is the one meant), then
 *  the first by id. The one rule of docs/schema.md, as the server's summary applies it
 *  (rooms/notes.py section_at), so every client files a note where everyone sees it. */
export function sectionAt(sections: Iterable<SectionSnap>, x: number, y: number): string | null {
  const cx = x + NOTE_W / 2
  const cy = y + NOTE_H / 2
  let found: SectionSnap | null = null
  for (const s of sections) {
    if (cx < s.x || cx > s.x + s.w || cy < s.y || cy > s.y + s.h) continue
    const area = s.w * s.h
    const best = found ? found.w * found.h : Infinity
    if (area < best || (area === best && found && s.id < found.id)) found = s
  }
  return found ? found.id : null
}

type Listener = (changed: Set<string>) => void

export class BoardModel {
  readonly notesMap: Y.Map<Y.Map<unknown>>
  readonly sectionsMap: Y.Map<Y.Map<unknown>>
  readonly notes = new Map<string, NoteSnap>()
  readonly sections = new Map<string, SectionSnap>()
  readonly undo: Y.UndoManager
  version = 0
  private listeners = new Set<Listener>()

  constructor(readonly doc: Y.Doc) {
    this.notesMap = doc.getMap('notes')
    this.sectionsMap = doc.getMap('sections')
    this.notesMap.forEach((m, id) => m instanceof Y.Map && this.notes.set(id, readNote(id, m)))
    this.sectionsMap.forEach((m, id) => m instanceof Y.Map && this.sections.set(id, readSection(id, m)))
    this.notesMap.observeDeep(this.onNotes)
    this.sectionsMap.observeDeep(this.onSections)
    this.undo = new Y.UndoManager([this.notesMap, this.sectionsMap], {
      trackedOrigins: new Set([this]),
      captureTimeout: 400,
    })
  }

  destroy(): void {
    this.notesMap.unobserveDeep(this.onNotes)
    this.sectionsMap.unobserveDeep(this.onSections)
    this.undo.destroy()
    this.listeners.clear()
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  private emit(changed: Set<string>): void {
    this.version++
    for (const fn of this.listeners) fn(changed)
  }

  private onNotes = (events: Array<Y.YEvent<any>>): void => {
    const changed = new Set<string>()
    for (const ev of events) {
      if (ev.target === this.notesMap) {
        for (const key of ev.changes.keys.keys()) changed.add(key)
      } else {
        const id = ev.path[0]
        if (typeof id === 'string') changed.add(id)
      }
    }
    for (const id of changed) {
      const m = this.notesMap.get(id)
      if (m instanceof Y.Map) this.notes.set(id, readNote(id, m))
      else this.notes.delete(id)
    }
    this.emit(changed)
  }

  private onSections = (events: Array<Y.YEvent<any>>): void => {
    const changed = new Set<string>()
    for (const ev of events) {
      if (ev.target === this.sectionsMap) {
        for (const key of ev.changes.keys.keys()) changed.add(key)
      } else {
        const id = ev.path[0]
        if (typeof id === 'string') changed.add(id)
      }
    }
    for (const id of changed) {
      const m = this.sectionsMap.get(id)
      if (m instanceof Y.Map) this.sections.set(id, readSection(id, m))
      else this.sections.delete(id)
    }
    this.emit(new Set([...changed].map((id) => `section:${id}`)))
  }

  private transact(fn: () => void): void {
    this.doc.transact(fn, this)
  }

  createNote(author: Author, at: { x: number; y: number }, color = 'yellow', text = ''): string {
    const id = newId()
    const sections = [...this.sections.values()]
    this.transact(() => {
      const m = new Y.Map<unknown>()
      const t = new Y.Text()
      if (text) t.insert(0, text)
      m.set('text', t)
      m.set('x', Math.round(at.x))
      m.set('y', Math.round(at.y))
      m.set('color', color)
      m.set('section', sectionAt(sections, at.x, at.y))
      m.set('author', author.id)
      m.set('author_name', author.name)
      m.set('created_at', Date.now())
      this.notesMap.set(id, m)
    })
    return id
  }

  setText(id: string, value: string): void {
    const m = this.notesMap.get(id)
    if (!(m instanceof Y.Map)) return
    let t = m.get('text')
    this.transact(() => {
      if (!(t instanceof Y.Text)) {
        t = new Y.Text()
        m.set('text', t)
      }
      const text = t as Y.Text
      const d = textDiff(text.toString(), value)
      if (d.remove > 0) text.delete(d.index, d.remove)
      if (d.insert) text.insert(d.index, d.insert)
    })
  }

  /** Move notes by a delta; `settle` also re-files each note under the section it lands in. */
  moveNotes(ids: Iterable<string>, dx: number, dy: number, settle = true): void {
    const sections = [...this.sections.values()]
    this.transact(() => {
      for (const id of ids) {
        const m = this.notesMap.get(id)
        if (!(m instanceof Y.Map)) continue
        const x = Math.round(num(m.get('x')) + dx)
        const y = Math.round(num(m.get('y')) + dy)
        m.set('x', x)
        m.set('y', y)
        if (settle) {
          const s = sectionAt(sections, x, y)
          if (m.get('section') !== s) m.set('section', s)
        }
      }
    })
  }

  setColor(ids: Iterable<string>, color: string): void {
    this.transact(() => {
      for (const id of ids) {
        const m = this.notesMap.get(id)
        if (m instanceof Y.Map && m.get('color') !== color) m.set('color', color)
      }
    })
  }

  /** A deletion is an undo step of its own: merged into the typing just before it (within
   *  the capture window), Ctrl+Z would take the note's creation away too. */
  deleteNotes(ids: Iterable<string>): void {
    this.ownStep(() => {
      for (const id of ids) this.notesMap.delete(id)
    })
  }

  /** Make the edits `fn` makes one transaction and one undo step of their own, merged with
   *  nothing before or after them: a deletion, a dropped drag, a burst of arrow keys. */
  ownStep(fn: () => void): void {
    this.undo.stopCapturing()
    this.transact(fn)
    this.undo.stopCapturing()
  }

  /** Draw a section; notes already inside it (by the one rule) are filed under it. */
  createSection(at: { x: number; y: number }, title: string, w = 560, h = 380, color = 'grey'): string {
    const id = newId()
    this.transact(() => {
      const m = new Y.Map<unknown>()
      m.set('title', title)
      m.set('x', Math.round(at.x))
      m.set('y', Math.round(at.y))
      m.set('w', w)
      m.set('h', h)
      m.set('color', color)
      this.sectionsMap.set(id, m)
      this.refile()
    })
    return id
  }

  updateSection(id: string, patch: Partial<Omit<SectionSnap, 'id'>>): void {
    const m = this.sectionsMap.get(id)
    if (!(m instanceof Y.Map)) return
    this.transact(() => {
      for (const [k, v] of Object.entries(patch)) {
        m.set(k, typeof v === 'number' ? Math.round(v) : v)
      }
      if (['x', 'y', 'w', 'h'].some((k) => k in patch)) this.refile()
    })
  }

  /** Move a section and the notes filed under it together; notes it now covers join it. */
  moveSection(id: string, dx: number, dy: number): void {
    const s = this.sections.get(id)
    if (!s) return
    const members = [...this.notes.values()].filter((n) => n.section === id).map((n) => n.id)
    this.transact(() => {
      this.moveNotes(members, dx, dy, false)
      this.updateSection(id, { x: s.x + dx, y: s.y + dy })
    })
  }

  /** Delete a section; its notes fall to whatever section still holds them, if any. */
  deleteSection(id: string): void {
    this.transact(() => {
      this.sectionsMap.delete(id)
      this.refile()
    })
  }

  /** Set every note's `section` by the one rule, from the document as it is now (inside
   *  a transaction, before the snapshots catch up), writing only what changes. */
  private refile(): void {
    const sections: SectionSnap[] = []
    this.sectionsMap.forEach((m, id) => m instanceof Y.Map && sections.push(readSection(id, m)))
    this.notesMap.forEach((m) => {
      if (!(m instanceof Y.Map)) return
      const x = m.get('x')
      const y = m.get('y')
      if (typeof x !== 'number' || typeof y !== 'number') return
      const s = sectionAt(sections, x, y)
      if (m.get('section') !== s) m.set('section', s)
    })
  }

  /** A free spot near `at` so keyboard-created notes don't stack on each other. */
  freeSpot(at: { x: number; y: number }): { x: number; y: number } {
    const taken = (x: number, y: number) =>
      [...this.notes.values()].some((n) => Math.abs(n.x - x) < NOTE_W * 0.5 && Math.abs(n.y - y) < NOTE_H * 0.5)
    for (let row = 0; row < 8; row++) {
      for (let col = 0; col < 8; col++) {
        const x = at.x + col * (NOTE_W + 20)
        const y = at.y + row * (NOTE_H + 20)
        if (!taken(x, y)) return { x, y }
      }
    }
    return at
  }
}
