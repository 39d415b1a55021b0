import { describe, expect, it } from 'vitest'
import { othersCursors } from '../src/ui/board/usePresence'

const user = (id: string) => ({ id, name: id.toUpperCase(), role: 'participant', color: '#123456' })

describe('live cursors', () => {
  it('shows the others who point at the board, never this screen', () => {
    const states = new Map<number, unknown>([
      [1, { user: user('me'), cursor: { x: 5, y: 5 } }],
      [2, { user: user('ann'), cursor: { x: 10, y: -20 } }],
      [3, { user: user('bo'), cursor: null }], // left the canvas
      [4, { cursor: { x: 1, y: 1 } }], // no person (a bot, or not yet announced)
      [5, { user: user('cy'), cursor: { x: Number.NaN, y: 3 } }],
    ])
    expect(othersCursors(states, 1)).toEqual([{ ...user('ann'), clientId: 2, x: 10, y: -20 }])
  })
})
