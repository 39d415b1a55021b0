// One sticky note: a focusable group that says who wrote it, its colour and its votes, and
// while being edited an uncontrolled textarea (so remote edits do not move the caret).
// What the note does is the board's: it only forwards its events through NoteHandlers.
// While someone else drags it, it is drawn where they have it, outlined in their colour
// and labelled with their name (carried along with a section, the section's outline says who).

import { memo } from 'preact/compat'
import { useLayoutEffect, useRef } from 'preact/hooks'
import { useT } from '../../i18n'
import type { NoteSnap } from '../../lib/board'
import { hyphenate } from '../../lib/hyphenate'
import type { Mover } from './motion'
import { colorKey } from './notes'

export interface NoteHandlers {
  pointerDown: (e: PointerEvent, id: string) => void
  keyDown: (e: KeyboardEvent, id: string) => void
  focus: (id: string) => void
  finish: (id: string, refocus: boolean) => void
  setText: (id: string, text: string) => void
  dot: (id: string, add: boolean) => void
}

export const NoteView = memo(function NoteView(props: {
  note: NoteSnap
  selected: boolean
  editing: boolean
  readOnly: boolean
  voteMine: number // -1: not votable now
  result: { dots: number; rank: number } | null
  lang: string
  textLang: string | undefined // the language notes are written in (the session's)
  display: boolean
  movedBy: Mover | null // someone else is dragging it
  carried: boolean // …as part of a section they drag
  moving: boolean // this screen is dragging it
  h: NoteHandlers
}) {
  const t = useT()
  const { note, h } = props
  const label = [
    t('note.label', { author: note.author_name || t('note.anonymous'), color: t(colorKey(note.color)) }),
    props.selected ? t('note.isSelected') : '',
    props.voteMine > 0 ? t('vote.yourDots', { count: props.voteMine }) : '',
    props.result ? t('vote.resultLabel', { dots: props.result.dots, rank: props.result.rank }) : '',
  ]
    .filter(Boolean)
    .join(', ')
  return (
    <div
      class={`note c-${note.color}${props.selected ? ' selected' : ''}${props.editing ? ' editing' : ''}${props.moving ? ' moving' : ''}${props.movedBy ? ' moved' : ''}${props.result && props.result.dots > 0 ? ' ranked' : ''}`}
      style={{ transform: `translate(${note.x}px, ${note.y}px)`, '--mover': props.movedBy?.color }}
      data-note={note.id}
      data-moved-by={props.movedBy?.name}
      tabIndex={0}
      role="group"
      aria-roledescription={t('note.role')}
      aria-label={label}
      onPointerDown={(e) => h.pointerDown(e, note.id)}
      onKeyDown={(e) => h.keyDown(e, note.id)}
      onFocus={(e) => e.target === e.currentTarget && h.focus(note.id)}
    >
      {props.editing && !props.readOnly ? (
        <NoteEditor note={note} h={h} />
      ) : (
        <p class="note-text" lang={note.text ? props.textLang : undefined}>
          {(props.display ? hyphenate(note.text, props.textLang) : note.text) || <span class="placeholder">{t('note.empty')}</span>}
        </p>
      )}
      <span class="note-author">{note.author_name}</span>
      {props.movedBy && !props.carried && (
        <span class="note-mover" aria-hidden="true">
          {props.movedBy.name}
        </span>
      )}
      {props.voteMine >= 0 && (
        <span class="note-vote" onPointerDown={(e) => e.stopPropagation()}>
          <button type="button" class="dot-btn" aria-label={t('vote.add')} onClick={() => h.dot(note.id, true)}>
            +●
          </button>
          <span class="dot-count" aria-hidden="true">
            {'●'.repeat(Math.min(props.voteMine, 9))}
          </span>
          {props.voteMine > 0 && (
            <button type="button" class="dot-btn" aria-label={t('vote.remove')} onClick={() => h.dot(note.id, false)}>
              −●
            </button>
          )}
        </span>
      )}
      {props.result && props.result.dots > 0 && (
        <span class="note-result" aria-hidden="true">
          {props.result.dots}
        </span>
      )}
    </div>
  )
})

function NoteEditor({ note, h }: { note: NoteSnap; h: NoteHandlers }) {
  const t = useT()
  const ref = useRef<HTMLTextAreaElement>(null)
  // uncontrolled: remote edits are merged in without moving the caret to the end
  useLayoutEffect(() => {
    const el = ref.current
    if (!el || el.value === note.text) return
    const { selectionStart, selectionEnd } = el
    el.value = note.text
    el.setSelectionRange(Math.min(selectionStart, note.text.length), Math.min(selectionEnd, note.text.length))
  }, [note.text])
  useLayoutEffect(() => {
    const el = ref.current
    if (el) {
      el.value = note.text
      el.setSelectionRange(el.value.length, el.value.length)
    }
  }, [])
  return (
    <textarea
      ref={ref}
      class="note-editor"
      aria-label={t('note.editLabel')}
      maxLength={2000}
      onInput={(e) => h.setText(note.id, (e.target as HTMLTextAreaElement).value)}
      onKeyDown={(e) => {
        e.stopPropagation()
        if (e.key === 'Escape' || (e.key === 'Enter' && (e.ctrlKey || e.metaKey))) {
          e.preventDefault()
          h.finish(note.id, true)
        }
      }}
      onBlur={() => h.finish(note.id, false)}
      onPointerDown={(e) => e.stopPropagation()}
    />
  )
}
