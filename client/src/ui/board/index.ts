export { Board, type BoardProps } from './Board'
export type { BoardLocks, Focus, Voting } from './types'
