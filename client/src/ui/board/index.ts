export { Board, type BoardProps } from './Board'
export type { Focus, Voting } from './types'
