// What a person does to the board's content: add a note or a section, delete notes, colour
// them. The toolbar, the keyboard and a double click all come here, and each says what it
// did to screen readers.

import { useState } from 'preact/hooks'
import { type Lang, LANGS, translate, useI18n } from '../../i18n'
import { type Author, type BoardModel, NOTE_H, NOTE_W } from '../../lib/board'
import { centre } from '../../lib/viewport'
import { announce } from '../common'
import type { Point } from './geometry'
import { survivorAfter } from './notes'
import type { Live } from './types'
import type { Editing } from './useEditing'
import type { Viewport } from './useViewport'

export function useNoteCommands(
  model: BoardModel,
  me: Author,
  readOnly: boolean,
  live: Live,
  setSelected: (s: Set<string>) => void,
  view: Viewport,
  edit: Editing,
  sessionLang?: string | null,
) {
  const { t, lang } = useI18n()
  // Text written into the board is read by everyone, so it is in the session's language.
  const written = (LANGS as string[]).includes(sessionLang ?? '') ? (sessionLang as Lang) : lang
  const [color, setColor] = useState<string>('yellow')
  const { size, viewRef, canvasRef } = view

  /** A note at a world point (centred there), or in a free spot near the middle of the view. */
  const newNote = (at?: Point) => {
    if (readOnly) return
    const { w, h } = size()
    const c = at ?? model.freeSpot(centre(viewRef.current, w, h - 60))
    const pos = at ? { x: c.x - NOTE_W / 2, y: c.y - NOTE_H / 2 } : c
    const id = model.createNote(me, pos, color)
    setSelected(new Set([id]))
    edit.startEdit(id)
    announce(t('note.created'))
  }

  const newSection = () => {
    if (readOnly) return
    const { w, h } = size()
    const c = centre(viewRef.current, w, h)
    const id = model.createSection({ x: c.x - 280, y: c.y - 190 }, translate(written, 'section.defaultTitle'))
    edit.setRenaming(id)
    announce(t('section.created'))
  }

  const deleteNotes = (ids: string[]) => {
    const locked = ids.some((id) => live.current.sectionLocked(model.notes.get(id)?.section ?? ''))
    if (readOnly || ids.length === 0 || locked) return
    const next = survivorAfter([...model.notes.keys()], ids)
    model.deleteNotes(ids)
    setSelected(new Set())
    announce(t(ids.length === 1 ? 'note.deleted' : 'note.deletedMany', { count: ids.length }))
    if (next) edit.focusSoon(next)
    else canvasRef.current?.focus()
  }

  /** The colour for new notes, and for the selected ones. */
  const recolor = (c: string) => {
    setColor(c)
    const ids = [...live.current.selected]
    if (ids.length && !readOnly) model.setColor(ids, c)
  }

  return { color, setColor, newNote, newSection, deleteNotes, recolor }
}

export type NoteCommands = ReturnType<typeof useNoteCommands>
