// Re-render the board when its document changes, at most once per animation frame: a burst
// of remote updates (someone dragging ten notes) costs one render, not one per update.

import { useEffect, useState } from 'preact/hooks'
import type { BoardModel } from '../../lib/board'

export function useDocumentVersion(model: BoardModel): void {
  const [, setVersion] = useState(0)
  useEffect(() => {
    let frame = 0
    const unsub = model.subscribe(() => {
      if (frame) return
      frame = requestAnimationFrame(() => {
        frame = 0
        setVersion(model.version)
      })
    })
    return () => {
      unsub()
      if (frame) cancelAnimationFrame(frame)
    }
  }, [model])
}
