import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { type Agenda, itemTitle, readControl, timerLabel } from '../src/lib/control'
import type { Timer } from '../src/lib/timer'

const agenda: Agenda = {
  items: [
    { id: 'i1', title: 'Welcome', titles: { fi: 'Tervetuloa', sv: 'Välkommen', en: 'Welcome' }, duration_ms: 600_000, board: 'main', instructions: '' },
    { id: 'i2', title: 'Own item', titles: null, duration_ms: 60_000, board: null, instructions: '' },
  ],
  current: 'i1',
  started_at: 1,
}

const timer = (id: string, label: string): Timer => ({
  id,
  label,
  room: null,
  state: 'running',
  duration_ms: 600_000,
  remaining_ms: 600_000,
  ends_at: 2,
  ended_at: null,
})

describe('agenda titles in the viewer’s language', () => {
  it('an item from a template is titled in the viewer’s language, others as written', () => {
    expect(itemTitle(agenda.items[0], 'sv')).toBe('Välkommen')
    expect(itemTitle(agenda.items[1], 'fi')).toBe('Own item')
  })

  it('the agenda timer carries its item’s title in the viewer’s language', () => {
    expect(timerLabel(timer('agenda', 'Welcome'), agenda, 'fi')).toBe('Tervetuloa')
    expect(timerLabel(timer('agenda', 'Own item'), agenda, 'sv')).toBe('Own item')
    // another timer keeps the label the facilitator typed, even if it matches an item
    expect(timerLabel(timer('t1', 'Welcome'), agenda, 'fi')).toBe('Welcome')
  })
})

describe('readControl', () => {
  it('reads the lead the server wrote, and none before anyone led', () => {
    const doc = new Y.Doc()
    expect(readControl(doc).lead).toBeNull()
    const lead = doc.getMap('lead')
    doc.transact(() => {
      for (const [k, v] of Object.entries({ mode: 'follow', board: 'main', x: 5, y: 6, zoom: 2, by: 'facilitator', at: 9 })) lead.set(k, v)
    })
    expect(readControl(doc).lead).toEqual({ mode: 'follow', board: 'main', x: 5, y: 6, zoom: 2, by: 'facilitator', at: 9 })
  })
})
