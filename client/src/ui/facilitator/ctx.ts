// What every facilitator panel is handed: the session, the facilitator's token, the
// session's state as the `control` document has it, and the page's board and lead actions.

import type { BoardModel } from '../../lib/board'
import { useI18n } from '../../i18n'
import { boardLabel, type ControlState } from '../../lib/control'
import type { FacilitatorInfo } from '../../lib/store'

export interface FacilitatorCtx {
  sessionId: string
  token: string
  state: ControlState
  board: string
  goTo: (board: string) => void
  model: BoardModel | null
  info: FacilitatorInfo | null
  /** The bot token just made (with the session, or anew): shown until the page is left. */
  botToken: string | null
  setBotToken: (token: string) => void
  bringHere: () => void
  leading: boolean
  lead: (on: boolean) => void
}

/** How a board is listed in the viewer's language (lib/control.ts boardLabel). */
export function useBoardTitle(): (state: ControlState, board: string, listed?: boolean) => string {
  const { t, lang } = useI18n()
  const say = {
    main: t('board.main'),
    room: (n: number) => t('room.name', { n }),
    roundRoom: (n: number, room: string) => t('board.roundRoom', { n, room }),
  }
  return (state, board, listed) => boardLabel(state, board, lang, say, listed)
}
