import { describe, expect, it } from 'vitest'
import type { NoteSnap, SectionSnap } from '../src/lib/board'
import { dragState, extended, MAX_DRAG_NOTES, placed, readDrag } from '../src/ui/board/motion'
import { othersDrags } from '../src/ui/board/usePresence'

const note = (id: string, x: number, y: number, section: string | null = null): NoteSnap => ({
  id,
  text: '',
  x,
  y,
  color: 'yellow',
  section,
  author: 'a',
  author_name: 'A',
  created_at: 0,
})
const section = (id: string, x: number, y: number, w = 400, h = 300): SectionSnap => ({ id, title: 'S', x, y, w, h, color: 'grey' })
const byId = <T extends { id: string }>(...items: T[]) => new Map(items.map((i) => [i.id, i]))

describe('a motion as a drag state', () => {
  it('lists where the moving notes are, in whole world units', () => {
    const notes = byId(note('a', 10, 20), note('b', -5, 0))
    expect(dragState('main', { kind: 'notes', ids: ['a', 'b', 'gone'], dx: 3.4, dy: -0.6 }, notes, new Map())).toEqual({
      board: 'main',
      notes: { a: [13, 19], b: [-2, -1] },
      sections: {},
    })
  })

  it('stays inside the server limit on an awareness state for a large selection and the longest name', () => {
    const many = Array.from({ length: 300 }, (_, i) => note(crypto.randomUUID(), -123456 + i, -654321))
    const state = dragState('a-board-with-a-long-name', { kind: 'notes', ids: many.map((n) => n.id), dx: -99999, dy: -99999 }, byId(...many), new Map())
    expect(Object.keys(state.notes)).toHaveLength(MAX_DRAG_NOTES)
    const user = { id: crypto.randomUUID(), name: '😀'.repeat(80), role: 'participant', color: '#123456', board: 'a-board-with-a-long-name' }
    const whole = JSON.stringify({ user, cursor: { x: -123456, y: -654321 }, drag: state })
    expect(new TextEncoder().encode(whole).length).toBeLessThan(4096) // max_presence_state_bytes
  })

  it('moves a section as a whole and resizes it no smaller than a section may be', () => {
    const sections = byId(section('s', 0, 0))
    expect(dragState('main', { kind: 'section', id: 's', dx: 10, dy: 5 }, new Map(), sections).sections).toEqual({ s: [10, 5, 400, 300] })
    expect(dragState('main', { kind: 'resize', id: 's', dx: -1000, dy: 50 }, new Map(), sections).sections).toEqual({ s: [0, 0, 160, 350] })
  })

  it('carries arrow keys on for the same notes or section, and starts afresh for others', () => {
    const step = { kind: 'notes' as const, ids: ['a', 'b'], dx: 20, dy: 0 }
    expect(extended({ ...step, ids: ['b', 'a'] }, step)).toEqual({ ...step, dx: 40 })
    expect(extended({ ...step, ids: ['a'] }, step)).toBeNull()
    expect(extended({ kind: 'section', id: 's', dx: 0, dy: 20 }, { kind: 'section', id: 's', dx: 0, dy: 20 })).toEqual({ kind: 'section', id: 's', dx: 0, dy: 40 })
    expect(extended({ kind: 'section', id: 's', dx: 0, dy: 20 }, { kind: 'section', id: 't', dx: 0, dy: 20 })).toBeNull()
    expect(extended({ kind: 'section', id: 's', dx: 0, dy: 20 }, { kind: 'resize', id: 's', dx: 20, dy: 0 })).toBeNull()
  })
})

describe("reading someone else's drag", () => {
  it('takes well-formed entries for this board only', () => {
    expect(readDrag({ board: 'main', notes: { a: [1, 2], b: [1], c: [1, 'x'], d: [1, Number.NaN] } }, 'main')).toEqual({
      board: 'main',
      notes: { a: [1, 2] },
      sections: {},
    })
    expect(readDrag({ board: 'other', notes: { a: [1, 2] } }, 'main')).toBeNull()
    expect(readDrag({ board: 'main', notes: [[1, 2]] }, 'main')).toBeNull()
    expect(readDrag(null, 'main')).toBeNull()
    const flood = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`n${i}`, [0, 0]]))
    expect(readDrag({ board: 'main', notes: flood }, 'main')).toBeNull()
  })

  it('names the mover, never this screen, and needs a person', () => {
    const drag = { board: 'main', notes: { a: [5, 5] } }
    const states = new Map<number, unknown>([
      [1, { user: { name: 'Me', color: '#000' }, drag }],
      [2, { user: { name: 'Ann', color: '#123' }, drag }],
      [3, { drag }],
      [4, { user: { name: 'Bo', color: '#456' }, drag: null }],
    ])
    expect(othersDrags(states, 1, 'main')).toEqual([{ state: { ...drag, sections: {} }, by: { name: 'Ann', color: '#123' } }])
  })
})

describe('where moving things are drawn', () => {
  it("draws a moved section's notes along with it, and the later drag wins", () => {
    const notes = byId(note('in', 50, 50, 's'), note('out', 900, 900), note('mine', 0, 0))
    const sections = byId(section('s', 0, 0))
    const ann = { name: 'Ann', color: '#123' }
    const p = placed(
      [
        { state: { board: 'main', notes: { mine: [7, 7] }, sections: { s: [100, 10, 400, 300] } }, by: ann },
        { state: { board: 'main', notes: { mine: [1, 2] }, sections: {} }, by: null },
      ],
      notes,
      sections,
    )
    expect(p.sections.get('s')).toEqual({ x: 100, y: 10, w: 400, h: 300, by: ann })
    expect(p.notes.get('in')).toEqual({ x: 150, y: 60, by: ann, carried: true })
    expect(p.notes.get('mine')).toEqual({ x: 1, y: 2, by: null, carried: false })
    expect(p.notes.has('out')).toBe(false)
  })

  it('ignores notes and sections the document no longer has', () => {
    const p = placed([{ state: { board: 'main', notes: { gone: [1, 1] }, sections: { gone: [0, 0, 200, 200] } }, by: null }], new Map(), new Map())
    expect(p.notes.size + p.sections.size).toBe(0)
  })
})
