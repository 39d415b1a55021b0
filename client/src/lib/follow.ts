// Where a screen looks when nobody there chooses: the newest wish for a board wins. The
// Lab display (docs/schema.md, `session.display_board`) stays on the board a facilitator
// pinned it to; unpinned, it follows the session as everyone's screens do: the current
// agenda item's board, or where a facilitator last led everyone, whichever came last.

import type { ControlState } from './control'
import { currentItem } from './control'
import { activeLead } from './lead'

export type Pick = { board: string; at: number }

/** The newest of several wishes for where to look; each says when it was made. */
export function newestPick(...picks: Array<Pick | null>): string {
  let best: Pick | null = null
  for (const p of picks) if (p && (!best || p.at > best.at)) best = p
  return best?.board ?? 'main'
}

/** The board the Lab display shows: the pinned one, else the one the session is on. A
 *  board that is not listed (deleted, or not yet synced) or a breakout room gives main. */
export function displayBoard(state: ControlState): string {
  const shows = (b: unknown): b is string => typeof b === 'string' && b in state.boards && state.boards[b].kind !== 'breakout'
  const pinned = state.session.display_board
  if (shows(pinned)) return pinned
  const item = currentItem(state.agenda)
  const agenda = item?.board && state.agenda.started_at ? { board: item.board, at: state.agenda.started_at } : null
  const led = activeLead(state.lead, false)
  const board = newestPick(agenda, led ? { board: led.board, at: led.at } : null)
  return shows(board) ? board : 'main'
}
