// Which note's text and which section's title are being edited, and where the keyboard focus
// goes next: a note is focused once it is rendered (after creating it, after editing it, or
// after deleting its neighbour), since it may not exist in the DOM when the command runs.

import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import type { RefObject } from 'preact'
import type { BoardModel } from '../../lib/board'

export function useEditing(model: BoardModel, worldRef: RefObject<HTMLDivElement>) {
  const [editing, setEditing] = useState<string | null>(null)
  const [renaming, setRenaming] = useState<string | null>(null)
  const pendingFocus = useRef<string | null>(null)

  useEffect(() => {
    setEditing(null)
  }, [model])

  useLayoutEffect(() => {
    const id = pendingFocus.current
    if (!id) return
    const el = worldRef.current?.querySelector<HTMLElement>(`[data-note="${CSS.escape(id)}"]`)
    const target = el?.querySelector<HTMLTextAreaElement>('textarea') ?? el
    if (target) {
      pendingFocus.current = null
      target.focus({ preventScroll: true })
    }
  })

  /** Focus this note (its editor, if it has one open) once it is rendered. */
  const focusSoon = useCallback((id: string) => {
    pendingFocus.current = id
  }, [])

  /** Open a note's editor and put the caret in it. */
  const startEdit = useCallback((id: string) => {
    setEditing(id)
    pendingFocus.current = id
  }, [])

  /** Close a note's editor; give the focus back to the note when the keyboard closed it. */
  const finishEdit = useCallback((id: string, refocus: boolean) => {
    setEditing((cur) => (cur === id ? null : cur))
    if (refocus) pendingFocus.current = id
  }, [])

  return { editing, setEditing, renaming, setRenaming, focusSoon, startEdit, finishEdit }
}

export type Editing = ReturnType<typeof useEditing>
