// Every board action from the keyboard (the keys are listed in KeyboardHelp): on the canvas,
// undo, select all, new note, zoom, fit, help and arrow-key panning; on a focused note,
// move, edit, delete, select, colour and vote. Keys typed into a text field are left alone.
// Arrow keys move notes as one motion (useMotion), written once the keys rest; any other key
// writes it first, and Escape gives it up.

import { useCallback } from 'preact/hooks'
import { useT } from '../../i18n'
import type { BoardModel } from '../../lib/board'
import { pan } from '../../lib/viewport'
import { announce } from '../common'
import { arrowDelta } from './geometry'
import { actedOn, colorKey, nextColor, toggled } from './notes'
import type { Live } from './types'
import type { Editing } from './useEditing'
import type { MotionControl } from './useMotion'
import type { NoteCommands } from './useNoteCommands'
import type { Viewport } from './useViewport'

/** How far the arrow keys pan the canvas, in screen pixels (with Shift: far). */
const PAN_STEP = { near: 60, far: 200 }
/** How far the arrow keys move a note, in world units (with Shift: far). */
const MOVE_STEP = { near: 20, far: 100 }
/** Keys that only modify the next one: pressing them leaves a motion of the arrow keys going. */
const MODIFIERS = new Set(['Shift', 'Control', 'Alt', 'Meta'])

export function useKeyboard(
  model: BoardModel,
  readOnly: boolean,
  live: Live,
  setSelected: (s: Set<string>) => void,
  view: Viewport,
  edit: Editing,
  commands: NoteCommands,
  showHelp: () => void,
  motion: MotionControl,
  cancelDrag: () => boolean,
) {
  const t = useT()
  const { canvasRef, viewRef, ownView, zoomBy, fitAll, ensureVisible } = view

  const onCanvasKeyDown = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement
    if (target.closest('textarea, input, select')) return
    if (e.key === 'Escape' && cancelDrag()) return
    if (!MODIFIERS.has(e.key)) motion.settleKeys()
    const mod = e.ctrlKey || e.metaKey
    if (mod && e.key.toLowerCase() === 'z' && !readOnly) {
      e.preventDefault()
      if (e.shiftKey) model.undo.redo()
      else model.undo.undo()
      return
    }
    if (mod && e.key.toLowerCase() === 'y' && !readOnly) {
      e.preventDefault()
      model.undo.redo()
      return
    }
    if (mod && e.key.toLowerCase() === 'a') {
      e.preventDefault()
      setSelected(new Set(model.notes.keys()))
      announce(t('note.selectedCount', { count: model.notes.size }))
      return
    }
    if (mod || e.altKey) return
    switch (e.key) {
      case 'n':
      case 'N':
        if (readOnly) return
        e.preventDefault()
        commands.newNote()
        return
      case '+':
      case '=':
        e.preventDefault()
        zoomBy(1.25)
        return
      case '-':
        e.preventDefault()
        zoomBy(0.8)
        return
      case '0':
        e.preventDefault()
        fitAll()
        return
      case '?':
        e.preventDefault()
        showHelp()
        return
      case 'Escape':
        setSelected(new Set())
        return
    }
    if (target !== canvasRef.current) return
    // the arrow moves the view, so the world moves the other way
    const d = arrowDelta(e.key, -(e.shiftKey ? PAN_STEP.far : PAN_STEP.near))
    if (d) {
      e.preventDefault()
      ownView(pan(viewRef.current, ...d))
    }
  }

  const onNoteKeyDown = useCallback((e: KeyboardEvent, id: string) => {
    if ((e.target as HTMLElement).tagName !== 'DIV') return // buttons and the editor handle their own
    const s = live.current
    const mod = e.ctrlKey || e.metaKey
    if (mod || e.altKey) return
    const note = model.notes.get(id)
    if (!note) return
    const move = arrowDelta(e.key, e.shiftKey ? MOVE_STEP.far : MOVE_STEP.near)
    if (move) {
      e.preventDefault()
      e.stopPropagation()
      if (s.readOnly || s.fixed(actedOn(s.selected, id))) return
      const [dx, dy] = move
      const m = motion.nudge({ kind: 'notes', ids: actedOn(s.selected, id), dx, dy })
      ensureVisible({ x: note.x + m.dx, y: note.y + m.dy })
      return
    }
    if (e.key !== 'Escape' && !MODIFIERS.has(e.key)) motion.settleKeys()
    switch (e.key) {
      case 'Enter':
      case 'F2':
        e.preventDefault()
        e.stopPropagation()
        if (s.readOnly) return
        edit.startEdit(id)
        return
      case 'Delete':
      case 'Backspace':
        e.preventDefault()
        e.stopPropagation()
        commands.deleteNotes(actedOn(s.selected, id))
        return
      case ' ': {
        e.preventDefault()
        e.stopPropagation()
        const next = toggled(s.selected, id)
        setSelected(next)
        announce(t(next.has(id) ? 'note.selected' : 'note.unselected'))
        return
      }
      case 'c':
      case 'C': {
        e.preventDefault()
        e.stopPropagation()
        if (s.readOnly) return
        const c = nextColor(note.color)
        model.setColor(actedOn(s.selected, id), c)
        commands.setColor(c)
        announce(t(colorKey(c)))
        return
      }
      case 'v':
      case 'V': {
        e.preventDefault()
        e.stopPropagation()
        const v = s.voting
        if (!v) {
          announce(t('vote.none'))
          return
        }
        if (!v.eligible(note)) {
          announce(t('vote.notEligible'))
          return
        }
        v.dot(id, e.key === 'v')
        return
      }
    }
  }, [model])

  return { onCanvasKeyDown, onNoteKeyDown }
}
