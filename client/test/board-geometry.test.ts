import { describe, expect, it } from 'vitest'
import { NOTE_H, NOTE_W, type NoteSnap } from '../src/lib/board'
import { arrowDelta, notesWithin, pastSlop, resized, revealShift, spanned } from '../src/ui/board/geometry'
import { actedOn, colorKey, inCreationOrder, nextColor, survivorAfter, toggled } from '../src/ui/board/notes'

const note = (id: string, x: number, y: number, created_at = 0): NoteSnap => ({
  id,
  text: '',
  x,
  y,
  color: 'yellow',
  section: null,
  author: 'p1',
  author_name: 'Pia',
  created_at,
})

describe('board geometry', () => {
  it('maps arrow keys to steps and ignores other keys', () => {
    expect(arrowDelta('ArrowLeft', 20)).toEqual([-20, 0])
    expect(arrowDelta('ArrowDown', 100)).toEqual([0, 100])
    expect(arrowDelta('ArrowRight', -60)).toEqual([-60, -0])
    expect(arrowDelta('a', 20)).toBeNull()
  })

  it('starts a drag only past the slop, in any direction', () => {
    expect(pastSlop({ x: 10, y: 10 }, { x: 12, y: 13 })).toBe(false)
    expect(pastSlop({ x: 10, y: 10 }, { x: 10, y: 14 })).toBe(true)
    expect(pastSlop({ x: 10, y: 10 }, { x: 7, y: 6 })).toBe(true)
  })

  it('never resizes a section below its minimum', () => {
    expect(resized({ w: 300, h: 200 }, 20, -20)).toEqual({ w: 320, h: 180 })
    expect(resized({ w: 170, h: 130 }, -50, -50)).toEqual({ w: 160, h: 120 })
  })

  it('spans a marquee whichever way the pointer went', () => {
    expect(spanned({ x: 50, y: 40 }, { x: 10, y: 90 })).toEqual({ x: 10, y: 40, w: 40, h: 50 })
  })

  it('selects the notes a marquee overlaps, even by a corner, not those that only touch it', () => {
    const notes = [note('in', 100, 100), note('corner', 290, 290), note('out', 400, 0), note('touching', 50 - NOTE_W, 100)]
    expect(notesWithin(notes, { x: 50, y: 50 }, { x: 300, y: 300 })).toEqual(['in', 'corner'])
  })

  it('pans just enough to bring a note on screen, and not at all when it is', () => {
    const v = { x: 0, y: 0, scale: 1 }
    expect(revealShift(v, { x: 100, y: 100 }, 800, 600)).toEqual({ x: 0, y: 0 })
    expect(revealShift(v, { x: -50, y: 10 }, 800, 600)).toEqual({ x: 74, y: 14 })
    expect(revealShift(v, { x: 700, y: 550 }, 800, 600)).toEqual({ x: 800 - 24 - (700 + NOTE_W), y: 600 - 24 - (550 + NOTE_H) })
    // at half scale the note is half as big on screen
    expect(revealShift({ x: 0, y: 0, scale: 0.5 }, { x: 1500, y: 0 }, 800, 600)).toEqual({ x: 800 - 24 - 750 - NOTE_W / 2, y: 24 })
  })
})

describe('board note rules', () => {
  it('toggles one id in a copy of the selection', () => {
    const sel = new Set(['a', 'b'])
    expect([...toggled(sel, 'b')]).toEqual(['a'])
    expect([...toggled(sel, 'c')]).toEqual(['a', 'b', 'c'])
    expect([...sel]).toEqual(['a', 'b'])
  })

  it('acts on the selection when it holds the note, else on the note alone', () => {
    expect(actedOn(new Set(['a', 'b']), 'a')).toEqual(['a', 'b'])
    expect(actedOn(new Set(['a', 'b']), 'c')).toEqual(['c'])
    expect(actedOn(new Set(), 'c')).toEqual(['c'])
    expect(actedOn(new Set(['a']))).toEqual(['a'])
    expect(actedOn(new Set())).toEqual([])
  })

  it('gives the focus to the next note that survives a delete', () => {
    expect(survivorAfter(['a', 'b', 'c', 'd'], ['b'])).toBe('c')
    expect(survivorAfter(['a', 'b', 'c', 'd'], ['c', 'b', 'd'])).toBeUndefined()
    expect(survivorAfter(['a', 'b', 'c', 'd'], ['a', 'b'])).toBe('c')
    expect(survivorAfter(['a', 'b', 'c', 'd'], ['d'])).toBeUndefined()
  })

  it('cycles colours round the palette and names unknown ones as yellow', () => {
    expect(nextColor('yellow')).toBe('pink')
    expect(nextColor('purple')).toBe('yellow')
    expect(nextColor('teal')).toBe('yellow')
    expect(colorKey('blue')).toBe('color.blue')
    expect(colorKey('teal')).toBe('color.yellow')
  })

  it('orders notes by when they were made, ties by id', () => {
    const order = inCreationOrder([note('b', 0, 0, 5), note('c', 0, 0, 1), note('a', 0, 0, 5)]).map((n) => n.id)
    expect(order).toEqual(['c', 'a', 'b'])
  })
})
