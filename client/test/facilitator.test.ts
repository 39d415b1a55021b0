import { describe, expect, it } from 'vitest'
import type { AgendaItem } from '../src/lib/control'
import { agendaText, minutes, parseAgenda } from '../src/ui/facilitator/agenda'
import { boardName } from '../src/ui/facilitator/boards'
import { draftBody } from '../src/ui/facilitator/breakouts'

const item = (title: string, duration_ms: number, titles: AgendaItem['titles'] = null): AgendaItem => ({
  id: title,
  title,
  titles,
  duration_ms,
  board: null,
  instructions: '',
})

describe('agenda draft', () => {
  it('reads one item a line, with minutes after a comma, semicolon or bar', () => {
    expect(parseAgenda('Welcome, 5\n\n  Map the field; 20 min \nBreak|15\nWrap up')).toEqual([
      { title: 'Welcome', duration_ms: 5 * 60000 },
      { title: 'Map the field', duration_ms: 20 * 60000 },
      { title: 'Break', duration_ms: 15 * 60000 },
      { title: 'Wrap up', duration_ms: 10 * 60000 },
    ])
  })

  it('keeps commas inside a title', () => {
    expect(parseAgenda('Try, learn, fix, 30')).toEqual([{ title: 'Try, learn, fix', duration_ms: 30 * 60000 }])
  })

  it('keeps what a template put on an item whose line keeps its title', () => {
    const map: AgendaItem = {
      id: 'i3',
      title: 'Kartoita',
      titles: { fi: 'Kartoita', sv: 'Kartlägg', en: 'Map' },
      duration_ms: 25 * 60000,
      board: 'map',
      instructions: 'Mitä jo tiedämme?',
      steps: [{ kind: 'breakout', strategy: 'random', group_size: 4, rooms: null, minutes: 20 }],
    }
    const [kept, added] = parseAgenda('Map, 30\nCoffee, 10', [map], 'en')
    expect(kept).toEqual({ ...map, duration_ms: 30 * 60000 })
    expect(added.title).toBe('Coffee')
    expect(added.id).not.toBe('i3')
    expect(added.steps).toBeUndefined()
  })

  it('writes items back as a draft that reads the same', () => {
    const items = [item('Kiinnostu', 5 * 60000, { sv: 'Bli intresserad' }), item('Kartoita', 20 * 60000)]
    const text = agendaText(items, 'sv')
    expect(text).toBe('Bli intresserad, 5\nKartoita, 20')
    expect(parseAgenda(text).map((i) => minutes(i.duration_ms))).toEqual([5, 20])
  })
})

describe('breakout draft request', () => {
  const form = { strategy: 'random' as const, sizeMode: 'group_size' as const, size: '3', duration: '15', countdown: '60' }

  it('sizes rooms by group size or room count', () => {
    expect(draftBody(form, 9)).toEqual({ strategy: 'random', duration_ms: 900000, closing_ms: 60000, group_size: 3 })
    expect(draftBody({ ...form, sizeMode: 'rooms', size: '4' }, 9)).toMatchObject({ rooms: 4 })
  })

  it('keeps organisations apart, or balances kinds of people, by their key', () => {
    expect(draftBody({ ...form, strategy: 'keep_apart' }, 9)).toMatchObject({ key: 'org' })
    expect(draftBody({ ...form, strategy: 'balanced' }, 9)).toMatchObject({ key: 'kind' })
  })

  it('gives rooms people choose room for their share and one more', () => {
    const body = draftBody({ ...form, strategy: 'choose', size: '4' }, 10)
    expect(body).toMatchObject({ rooms: 4, capacity: 4 })
    expect(body).not.toHaveProperty('group_size')
  })

  it('falls back to the form defaults for what does not parse', () => {
    expect(draftBody({ ...form, size: 'x', duration: '', countdown: '-5' }, 9)).toEqual({
      strategy: 'random',
      duration_ms: 900000,
      closing_ms: 0,
      group_size: 3,
    })
  })
})

describe('new board name', () => {
  it('makes a URL slug from the title, accents folded', () => {
    expect(boardName('Kehitä & Käytä!', {})).toBe('kehita-kayta')
    expect(boardName('***', {})).toBe('board')
    expect(boardName('x'.repeat(60), {}).length).toBe(40)
  })

  it('adds the board count when the slug is taken', () => {
    expect(boardName('Main', { main: {}, ideas: {} })).toBe('main-2')
  })
})
