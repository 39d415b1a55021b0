// What a page hands the board beyond its document: a dot vote to cast, a view to jump to.

import type { NoteSnap } from '../../lib/board'

export interface Voting {
  title: string
  remaining: number
  perNote: number
  mine: Record<string, number>
  eligible: (note: NoteSnap) => boolean
  dot: (noteId: string, add: boolean) => void
}

/** A view as the world point at its centre and its scale, the same on any screen size. */
export interface Focus {
  cx: number
  cy: number
  scale: number
}

/** What the board's stable event handlers read at the moment an event arrives. */
export interface LiveState {
  selected: ReadonlySet<string>
  editing: string | null
  readOnly: boolean
  voting: Voting | null | undefined
  fixed: (ids: readonly string[]) => boolean // notes this person may not move (locks)
  sectionLocked: (id: string) => boolean
}

/** What a facilitator locked on this board for this person (none for facilitators); the
 *  server enforces it, the board only does not offer what would be refused. */
export interface BoardLocks {
  positions: boolean
  sections: readonly string[]
}

/** A ref to the board's state as of its latest render. */
export type Live = { readonly current: LiveState }
