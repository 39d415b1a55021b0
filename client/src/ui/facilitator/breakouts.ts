// The request that drafts a breakout round, from the form's fields as typed: numbers that do
// not parse fall back to the form's defaults, and each strategy asks for what it needs.
import type { Schemas } from '../../lib/api'

export type SizeMode = 'group_size' | 'rooms'

export interface DraftForm {
  strategy: Schemas['NewRound']['strategy']
  sizeMode: SizeMode
  size: string // people per room, or rooms
  duration: string // minutes
  countdown: string // seconds of "closing soon" before the rooms close
}

/** The body of `POST …/breakouts` for a form and the number of people in the roster. */
export function draftBody(f: DraftForm, rosterSize: number): Schemas['NewRound'] {
  const n = Math.max(1, Math.round(Number(f.size) || 3))
  const body: Schemas['NewRound'] = {
    strategy: f.strategy,
    duration_ms: Math.round((Number(f.duration) || 15) * 60000),
    closing_ms: Math.round(Math.max(0, Number(f.countdown) || 0) * 1000),
  }
  if (f.strategy === 'choose') {
    // people choose their room: n rooms, each with room for its share and one more
    body.rooms = n
    body.capacity = Math.max(1, Math.ceil(rosterSize / n) + 1)
  } else body[f.sizeMode] = n
  if (f.strategy === 'keep_apart') body.key = 'org'
  if (f.strategy === 'balanced') body.key = 'kind'
  return body
}
