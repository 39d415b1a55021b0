import { describe, expect, it } from 'vitest'
import { translate } from '../src/i18n'
import { boardLabel, type ControlState, emptyControl } from '../src/lib/control'
import { displayBoard } from '../src/lib/follow'

function session(over: (s: ControlState) => void): ControlState {
  const s = emptyControl()
  s.boards = {
    main: { title: 'Yhteinen taulu', kind: 'main', open_to_all: true, round: null },
    kiinnostu: { title: 'Kiinnostu', kind: 'board', open_to_all: true, round: null },
    kokeile: { title: 'Kokeile', kind: 'board', open_to_all: true, round: null },
    'breakout-1': { title: 'Huone 1', kind: 'breakout', open_to_all: false, round: 'r1' },
    'breakout-3': { title: 'Huone 1', kind: 'breakout', open_to_all: false, round: 'r2' },
  }
  s.agenda = {
    items: [{ id: 'i2', title: 'Kiinnostu', titles: null, duration_ms: 1, board: 'kiinnostu', instructions: '' }],
    current: 'i2',
    started_at: 100,
  }
  over(s)
  return s
}

describe('the board the Lab display shows', () => {
  it('follows the agenda item, then a facilitator who brings everyone elsewhere later', () => {
    expect(displayBoard(session(() => {}))).toBe('kiinnostu')
    const brought = session((s) => {
      s.lead = { mode: 'bring', board: 'kokeile', x: 0, y: 0, zoom: 1, by: 'f', at: 200 }
    })
    expect(displayBoard(brought)).toBe('kokeile')
    brought.agenda.started_at = 300 // the agenda moved on after that
    expect(displayBoard(brought)).toBe('kiinnostu')
  })

  it('stays where it is pinned, and falls back to main for rooms and unknown boards', () => {
    expect(displayBoard(session((s) => (s.session.display_board = 'kokeile')))).toBe('kokeile')
    expect(displayBoard(session((s) => (s.session.display_board = 'breakout-1')))).toBe('kiinnostu')
    expect(displayBoard(session((s) => (s.agenda.items[0].board = 'gone')))).toBe('main')
    expect(displayBoard(emptyControl())).toBe('main')
  })
})

describe('board names across rounds', () => {
  it('names a room with its round, in the viewer’s language', () => {
    const s = session((st) => {
      st.history = [{ id: 'r1', number: 1, closed_at: 1, rooms: [] }]
    })
    const say = (lang: 'fi' | 'sv' | 'en') => ({
      main: translate(lang, 'board.main'),
      room: (n: number) => translate(lang, 'room.name', { n }),
      roundRoom: (n: number, room: string) => translate(lang, 'board.roundRoom', { n, room }),
    })
    expect(boardLabel(s, 'breakout-1', 'fi', say('fi'), true)).toBe('Kierros 1 · Huone 1')
    expect(boardLabel(s, 'breakout-3', 'sv', say('sv'), true)).toBe('Omgång 2 · Rum 1')
    expect(boardLabel(s, 'breakout-3', 'en', say('en'), true)).toBe('Round 2 · Room 1')
    expect(boardLabel(s, 'kiinnostu', 'en', say('en'), true)).toBe('Kiinnostu')
  })
})
