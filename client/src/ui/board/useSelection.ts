// The notes selected on this screen: emptied when the board changes, reported to the page
// (which offers to harvest them into the main board).

import { useEffect, useState } from 'preact/hooks'
import type { BoardModel } from '../../lib/board'

export function useSelection(model: BoardModel, onSelection?: (ids: string[]) => void) {
  const [selected, setSelected] = useState<Set<string>>(new Set())

  useEffect(() => {
    setSelected(new Set())
  }, [model])

  useEffect(() => {
    onSelection?.([...selected])
  }, [selected])

  return [selected, setSelected] as const
}
