// A section: a coloured area with a title that groups notes. Its head is focusable (arrows
// move it, Shift+arrows resize it, Enter renames, Delete removes); its corner resizes it.
// While someone else moves or resizes it, it is drawn where they have it, outlined in
// their colour.

import { useEffect, useRef, useState } from 'preact/hooks'
import { useI18n } from '../../i18n'
import { type BoardModel, type SectionSnap, sectionTitle } from '../../lib/board'
import { announce } from '../common'
import { arrowDelta } from './geometry'
import type { Mover } from './motion'

/** How far the arrow keys move or resize a section, in world units. */
const SECTION_STEP = 20

export function SectionView(props: {
  section: SectionSnap
  readOnly: boolean
  locked?: boolean // a facilitator locked it: its notes are theirs alone
  renaming: boolean
  model: BoardModel
  onRename: (id: string | null) => void
  onPointerDown: (e: PointerEvent, id: string, resize: boolean) => void
  onNudge: (id: string, dx: number, dy: number, resize: boolean) => void
  movedBy: Mover | null // someone else is moving it
}) {
  const { t, lang } = useI18n()
  const { section: s, model } = props
  const shown = sectionTitle(s, lang)
  const [draft, setDraft] = useState(s.title)
  const inputRef = useRef<HTMLInputElement>(null)
  useEffect(() => {
    if (props.renaming) {
      setDraft(s.title)
      requestAnimationFrame(() => inputRef.current?.select())
    }
  }, [props.renaming])
  const onKey = (e: KeyboardEvent) => {
    if (props.readOnly || e.ctrlKey || e.metaKey || e.altKey) return
    const d = arrowDelta(e.key, SECTION_STEP)
    if (d) {
      e.preventDefault()
      e.stopPropagation()
      props.onNudge(s.id, d[0], d[1], e.shiftKey)
    } else if (e.key === 'Enter' || e.key === 'F2') {
      e.preventDefault()
      e.stopPropagation()
      props.onRename(s.id)
    } else if (e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault()
      e.stopPropagation()
      model.deleteSection(s.id)
      announce(t('section.deleted'))
    }
  }
  const commit = () => {
    const title = draft.trim()
    if (title && title !== s.title) model.updateSection(s.id, { title })
    props.onRename(null)
  }
  return (
    <div
      class={`section s-${s.color}${props.movedBy ? ' moved' : ''}`}
      data-section={s.id}
      data-moved-by={props.movedBy?.name}
      style={{ transform: `translate(${s.x}px, ${s.y}px)`, width: s.w, height: s.h, '--mover': props.movedBy?.color }}
    >
      {props.renaming ? (
        <input
          ref={inputRef}
          class="section-title-input"
          aria-label={t('section.rename')}
          value={draft}
          maxLength={120}
          onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
          onKeyDown={(e) => {
            e.stopPropagation()
            if (e.key === 'Enter') commit()
            if (e.key === 'Escape') props.onRename(null)
          }}
          onBlur={commit}
          onPointerDown={(e) => e.stopPropagation()}
        />
      ) : (
        <div
          class="section-head"
          tabIndex={0}
          role="group"
          aria-roledescription={t('section.role')}
          aria-label={(shown || t('section.untitled')) + (props.locked ? ` (${t('section.locked')})` : '')}
          onKeyDown={onKey}
          onPointerDown={(e) => props.onPointerDown(e, s.id, false)}
        >
          {props.locked && (
            <span class="section-lock" aria-hidden="true" title={t('section.locked')}>
              🔒{' '}
            </span>
          )}
          {shown || t('section.untitled')}
        </div>
      )}
      {!props.readOnly && (
        <div class="section-resize" aria-hidden="true" onPointerDown={(e) => props.onPointerDown(e, s.id, true)} />
      )}
    </div>
  )
}
