// The infinite canvas: pan, zoom, fit; sticky notes and sections; live cursors, and what is
// being moved here or elsewhere drawn where it is on its way (motion.ts). Every note
// is a real focusable element, and every action works from the keyboard (see the help).
// Nothing a person typed is ever parsed as HTML: text goes through Preact's text bindings.
// This component renders; the hooks beside it own the behaviour.

import { useMemo, useState } from 'preact/hooks'
import { useI18n } from '../../i18n'
import { type Author, type BoardModel, NOTE_COLORS } from '../../lib/board'
import type { BoardConnection } from '../../lib/connection'
import { useLatest } from '../hooks'
import { Cursors } from './Cursors'
import { Labelled } from '../Icons'
import { KeyboardHelp } from './KeyboardHelp'
import { underPointer } from './hit'
import { dragState, placed } from './motion'
import { colorKey, inCreationOrder } from './notes'
import { NoteView } from './NoteView'
import { SectionView } from './SectionView'
import type { BoardLocks, Focus, Voting } from './types'
import { useAutoFit } from './useAutoFit'
import { useDocumentVersion } from './useDocumentVersion'
import { useDrag } from './useDrag'
import { useEditing } from './useEditing'
import { useKeyboard } from './useKeyboard'
import { useMotion } from './useMotion'
import { useNoteCommands } from './useNoteCommands'
import { usePinch } from './usePinch'
import { usePresence } from './usePresence'
import { useSelection } from './useSelection'
import { useViewport } from './useViewport'

export interface BoardProps {
  model: BoardModel
  conn: BoardConnection | null
  me: Author
  sessionLang?: string | null // what the client writes into the board is in this language
  label: string
  readOnly: boolean
  locks?: BoardLocks | null
  display?: boolean
  textLang?: string // the language the notes are written in: their hyphenation follows it
  voting?: Voting | null
  results?: Map<string, { dots: number; rank: number }> | null
  lead?: Focus | null // a facilitator's view to jump to (a new object each time it moves)
  onViewChange?: (f: Focus) => void
  onSelection?: (ids: string[]) => void
}

export function Board(props: BoardProps) {
  const { t, lang } = useI18n()
  const { model, conn, readOnly, display } = props
  const [help, setHelp] = useState(false)
  useDocumentVersion(model)
  const view = useViewport(model, display, props.onViewChange)
  const [selected, setSelected] = useSelection(model, props.onSelection)
  const edit = useEditing(model, view.worldRef)
  const lockedSections = props.locks?.sections ?? []
  const sectionLocked = (id: string | null) => id !== null && lockedSections.includes(id)
  const noteLocked = (id: string) => sectionLocked(model.notes.get(id)?.section ?? null)
  const fixed = (ids: readonly string[]) => !!props.locks?.positions || ids.some(noteLocked)
  const live = useLatest({ selected, editing: edit.editing, readOnly, voting: props.voting, fixed, sectionLocked })
  useAutoFit(model, conn, display, props.lead, view)
  const presence = usePresence(conn, display, view.toWorldFromEvent)
  const commands = useNoteCommands(model, props.me, readOnly, live, setSelected, view, edit, props.sessionLang)
  const motion = useMotion(model, conn)
  const drag = useDrag(model, display, live, setSelected, edit.setEditing, view, motion)
  usePinch(view, display, drag.cancel)
  const keys = useKeyboard(model, readOnly, live, setSelected, view, edit, commands, () => setHelp(true), motion, drag.cancel)

  const handlers = useMemo(
    () => ({
      pointerDown: drag.onNotePointerDown,
      keyDown: keys.onNoteKeyDown,
      focus: (id: string) => {
        const n = model.notes.get(id)
        if (n) view.ensureVisible(n)
      },
      finish: edit.finishEdit,
      setText: (id: string, text: string) => model.setText(id, text),
      dot: (id: string, add: boolean) => live.current.voting?.dot(id, add),
    }),
    [model],
  )

  // The canvas captures the pointer while it is pressed, so a double click arrives here
  // whatever it was on: what is under the pointer decides, as in MURAL or Miro.
  const onCanvasDblClick = (e: MouseEvent) => {
    if (readOnly || display) return
    const hit = underPointer(e)
    if (hit.kind === 'control') return
    if (hit.kind === 'note') edit.startEdit(hit.id)
    else if (hit.kind === 'section') edit.setRenaming(hit.id)
    else commands.newNote(view.toWorldFromEvent(e))
  }

  const synced = conn?.synced ?? true
  const touch = useMemo(() => matchMedia('(pointer: coarse)').matches, [])
  const mine = motion.local ? [{ state: dragState('', motion.local, model.notes, model.sections, Infinity), by: null }] : []
  const place = placed([...presence.drags, ...mine], model.notes, model.sections)
  const notes = inCreationOrder(model.notes.values())
  const sections = [...model.sections.values()]
  const voting = props.voting ?? null
  const results = props.results ?? null

  return (
    <div class={`board${display ? ' display' : ''}`}>
      {!display && !readOnly && (
        <div class="board-toolbar" role="toolbar" aria-label={t('board.tools')}>
          <button type="button" class="primary" onClick={() => commands.newNote()} data-testid="new-note">
            {t('board.newNote')}
          </button>
          <button type="button" onClick={commands.newSection}>
            {t('board.newSection')}
          </button>
          <div class="swatches" role="group" aria-label={t('board.color')}>
            {NOTE_COLORS.map((c) => (
              <button
                type="button"
                key={c}
                class={`swatch c-${c}`}
                aria-pressed={commands.color === c}
                aria-label={t(colorKey(c))}
                title={t(colorKey(c))}
                onClick={() => commands.recolor(c)}
              />
            ))}
          </div>
          <button type="button" class="iconic" onClick={() => commands.deleteNotes([...selected])} disabled={selected.size === 0}>
            <Labelled icon="trash">{t('board.deleteSelected', { count: selected.size })}</Labelled>
          </button>
          <button type="button" class="iconic" onClick={() => model.undo.undo()} aria-keyshortcuts="Control+Z">
            <Labelled icon="undo">{t('board.undo')}</Labelled>
          </button>
        </div>
      )}
      {voting && (
        <p class="vote-bar" data-testid="vote-bar">
          {t('vote.bar', { title: voting.title || t('vote.untitled'), count: voting.remaining })}
        </p>
      )}
      <div
        ref={view.canvasRef}
        class="canvas"
        tabIndex={display ? -1 : 0}
        role="region"
        aria-label={props.label}
        aria-describedby={display ? undefined : 'board-help'}
        aria-busy={!synced}
        data-testid="canvas"
        onPointerDown={drag.onCanvasPointerDown}
        onPointerMove={(e) => {
          presence.sendCursor(e)
          drag.onPointerMove(e)
        }}
        onPointerUp={drag.onPointerUp}
        onPointerCancel={drag.cancel}
        onFocusOut={motion.settleKeys}
        onPointerLeave={presence.hideCursor}
        onDblClick={onCanvasDblClick}
        onKeyDown={keys.onCanvasKeyDown}
      >
        <div ref={view.worldRef} class="world">
          {sections.map((s) => {
            const p = place.sections.get(s.id)
            return (
              <SectionView
                key={s.id}
                section={p ? { ...s, x: p.x, y: p.y, w: p.w, h: p.h } : s}
                movedBy={p?.by ?? null}
                onNudge={(id, dx, dy, resize) => motion.nudge({ kind: resize ? 'resize' : 'section', id, dx, dy })}
                readOnly={readOnly || sectionLocked(s.id)}
                locked={sectionLocked(s.id)}
                renaming={edit.renaming === s.id}
                model={model}
                onRename={edit.setRenaming}
                onPointerDown={drag.onSectionPointerDown}
              />
            )
          })}
          <div class="notes">
            {notes.map((n) => {
              const p = place.notes.get(n.id)
              return (
                <NoteView
                  key={n.id}
                  note={p ? { ...n, x: p.x, y: p.y } : n}
                  movedBy={p?.by ?? null}
                  carried={!!p?.carried}
                  moving={!!p && !p.by}
                  selected={selected.has(n.id)}
                  editing={edit.editing === n.id}
                  readOnly={readOnly || sectionLocked(n.section)}
                  voteMine={voting && voting.eligible(n) ? (voting.mine[n.id] ?? 0) : -1}
                  result={results?.get(n.id) ?? null}
                  lang={lang}
                  textLang={props.textLang}
                  display={!!display}
                  h={handlers}
                />
              )
            })}
          </div>
          {!display && <Cursors cursors={presence.cursors} />}
        </div>
        {drag.marquee && <div class="marquee" style={{ left: drag.marquee.x, top: drag.marquee.y, width: drag.marquee.w, height: drag.marquee.h }} />}
        {synced && notes.length === 0 && sections.length === 0 && (
          <p class="empty-hint">{t(readOnly ? 'board.emptyReadOnly' : touch ? 'board.emptyTouch' : 'board.empty')}</p>
        )}
      </div>
      {!display && (
        <div class="view-controls" role="group" aria-label={t('board.view')}>
          <button type="button" onClick={() => view.zoomBy(0.8)} aria-label={t('board.zoomOut')}>
            −
          </button>
          <span class="zoom">{view.zoom}%</span>
          <button type="button" onClick={() => view.zoomBy(1.25)} aria-label={t('board.zoomIn')}>
            +
          </button>
          <button type="button" class="iconic" onClick={view.fitAll}>
            <Labelled icon="fit">{t('board.fit')}</Labelled>
          </button>
          <button type="button" class="iconic" onClick={() => setHelp(true)} aria-keyshortcuts="?">
            <Labelled icon="keyboard">{t('board.help')}</Labelled>
          </button>
        </div>
      )}
      {!display && (
        <p id="board-help" class="sr-only">
          {readOnly ? t('board.helpShortReadOnly') : t('board.helpShort')}
        </p>
      )}
      {help && <KeyboardHelp onClose={() => setHelp(false)} />}
    </div>
  )
}
