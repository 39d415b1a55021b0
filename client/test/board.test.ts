import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { BoardModel, boundsOf, sectionAt, textDiff } from '../src/lib/board'
import { fit, toScreen, toWorld, zoomAt } from '../src/lib/viewport'

const me = { id: 'p1', name: 'Pia' }

describe('board document (fixed schema)', () => {
  it('writes notes exactly as docs/schema.md says', () => {
    const doc = new Y.Doc()
    const board = new BoardModel(doc)
    const id = board.createNote(me, { x: 10.4, y: 20 }, 'blue', 'hei')
    const m = doc.getMap('notes').get(id) as Y.Map<unknown>
    expect(m.get('text')).toBeInstanceOf(Y.Text)
    expect((m.get('text') as Y.Text).toString()).toBe('hei')
    expect([m.get('x'), m.get('y'), m.get('color'), m.get('section'), m.get('author'), m.get('author_name')]).toEqual([
      10, 20, 'blue', null, 'p1', 'Pia',
    ])
    expect(typeof m.get('created_at')).toBe('number')
  })

  it('edits text as the smallest change, so concurrent typing merges', () => {
    expect(textDiff('hello world', 'hello brave world')).toEqual({ index: 6, remove: 0, insert: 'brave ' })
    expect(textDiff('abc', 'ac')).toEqual({ index: 1, remove: 1, insert: '' })
    const a = new Y.Doc()
    const b = new Y.Doc()
    const ma = new BoardModel(a)
    const id = ma.createNote(me, { x: 0, y: 0 }, 'yellow', 'idea')
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
    const mb = new BoardModel(b)
    ma.setText(id, 'big idea')
    mb.setText(id, 'idea!')
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b))
    expect(ma.notes.get(id)?.text).toBe('big idea!')
    expect(mb.notes.get(id)?.text).toBe('big idea!')
  })

  it('files a moved note under the section it lands in', () => {
    const board = new BoardModel(new Y.Doc())
    const s = board.createSection({ x: 0, y: 0 }, 'Ideas', 400, 300)
    const id = board.createNote(me, { x: 500, y: 0 })
    expect(board.notes.get(id)?.section).toBeNull()
    board.moveNotes([id], -400, 50)
    expect(board.notes.get(id)?.section).toBe(s)
    board.moveSection(s, 100, 0)
    expect(board.notes.get(id)?.x).toBe(200)
    board.deleteSection(s)
    expect(board.notes.get(id)?.section).toBeNull()
  })

  it('tells listeners which notes changed, and undoes local edits', () => {
    const board = new BoardModel(new Y.Doc())
    const seen: string[][] = []
    board.subscribe((ids) => seen.push([...ids]))
    const id = board.createNote(me, { x: 0, y: 0 })
    board.undo.stopCapturing()
    board.deleteNotes([id])
    expect(board.notes.has(id)).toBe(false)
    expect(seen.flat()).toContain(id)
    board.undo.stopCapturing()
    board.undo.undo()
    expect(board.notes.has(id)).toBe(true)
  })

  it('finds free spots, sections and bounds', () => {
    const board = new BoardModel(new Y.Doc())
    const a = board.freeSpot({ x: 0, y: 0 })
    board.createNote(me, a)
    const b = board.freeSpot({ x: 0, y: 0 })
    expect(b).not.toEqual(a)
    expect(sectionAt([{ id: 's', title: '', x: 0, y: 0, w: 200, h: 200, color: 'grey' }], 0, 0)).toBe('s')
    expect(boundsOf(board.notes.values())).toEqual({ x: 0, y: 0, w: 180, h: 120 })
  })
})

describe('section membership follows geometry (docs/schema.md)', () => {
  const section = (id: string, x: number, y: number, w: number, h: number) => ({ id, title: id, x, y, w, h, color: 'grey' })

  it('files a note under the smallest section holding its centre', () => {
    const outer = section('outer', 0, 0, 900, 700)
    const inner = section('inner', 600, 400, 250, 200)
    expect(sectionAt([inner, outer], 620, 420)).toBe('inner')
    expect(sectionAt([outer, inner], 620, 420)).toBe('inner')
    expect(sectionAt([outer, inner], 40, 0)).toBe('outer')
    expect(sectionAt([outer], 2000, 0)).toBe(null)
  })

  it('a section drawn around earlier notes takes them, for every client', () => {
    const doc = new Y.Doc()
    const board = new BoardModel(doc)
    const early = board.createNote(me, { x: 40, y: 60 }, 'yellow', 'written first')
    const away = board.createNote(me, { x: 2000, y: 0 }, 'yellow', 'elsewhere')
    const sid = board.createSection({ x: 0, y: 0 }, 'Ideas')
    const other = new Y.Doc()
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc))
    const seen = new BoardModel(other)
    expect(seen.notes.get(early)!.section).toBe(sid)
    expect(seen.notes.get(away)!.section).toBe(null)

    board.moveSection(sid, 1900, 0) // its own note comes along; the one it now covers joins
    expect(board.notes.get(early)!.section).toBe(sid)
    expect(board.notes.get(away)!.section).toBe(sid)
    board.updateSection(sid, { w: 100, h: 100 }) // shrunk: only what it still holds
    expect(board.notes.get(away)!.section).toBe(null)
    board.deleteSection(sid)
    expect([...board.notes.values()].map((n) => n.section)).toEqual([null, null])
  })
})

describe('viewport', () => {
  it('zooms around the pointer', () => {
    const v = zoomAt({ x: 0, y: 0, scale: 1 }, 100, 100, 2)
    expect(toWorld(v, 100, 100)).toEqual({ x: 100, y: 100 })
    expect(toScreen(v, 100, 100)).toEqual({ x: 100, y: 100 })
  })
  it('fits content inside the screen, never above 1:1 unless asked', () => {
    const v = fit({ x: 1000, y: 1000, w: 2000, h: 1000 }, 1000, 600, 0)
    expect(v.scale).toBeCloseTo(0.5)
    expect(toScreen(v, 1000, 1000).x).toBeCloseTo(0)
    expect(fit({ x: 0, y: 0, w: 10, h: 10 }, 1000, 600).scale).toBe(1)
  })
  it('stops at a smallest scale, showing a board too big for it from its top left corner', () => {
    const v = fit({ x: 500, y: 200, w: 3000, h: 300 }, 400, 800, 40, 1, 0.8)
    expect(v.scale).toBe(0.8)
    expect(toScreen(v, 500, 200).x).toBeCloseTo(40) // too wide: starts at the margin
    expect(toScreen(v, 500, 350).y).toBeCloseTo(400) // fits in height: centred
  })
})
