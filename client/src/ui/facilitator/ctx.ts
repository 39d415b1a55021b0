// What every facilitator panel is handed: the session, the facilitator's token, the
// session's state as the `control` document has it, and the page's board and lead actions.

import type { BoardModel } from '../../lib/board'
import type { ControlState } from '../../lib/control'
import type { FacilitatorInfo } from '../../lib/store'

export interface FacilitatorCtx {
  sessionId: string
  token: string
  state: ControlState
  board: string
  goTo: (board: string) => void
  model: BoardModel | null
  info: FacilitatorInfo | null
  bringHere: () => void
  leading: boolean
  lead: (on: boolean) => void
}

/** A board's title as the session names it, or its slug. */
export const boardTitle = (state: ControlState, board: string) => state.boards[board]?.title || board
