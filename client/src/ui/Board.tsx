// The infinite canvas: pan, zoom, fit; sticky notes and sections; live cursors. Every note
// is a real focusable element, and every action works from the keyboard (see the help).
// Nothing a person typed is ever parsed as HTML: text goes through Preact's text bindings.

import { memo } from 'preact/compat'
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks'
import { type Key, useI18n, useT } from '../i18n'
import {
  type Author,
  type BoardModel,
  boundsOf,
  NOTE_COLORS,
  NOTE_H,
  NOTE_W,
  type NoteSnap,
  type SectionSnap,
} from '../lib/board'
import type { BoardConnection, Presence } from '../lib/connection'
import { centre, clampScale, fit, pan, toWorld, type View, zoomAt } from '../lib/viewport'
import { announce, Dialog } from './common'

export interface Voting {
  title: string
  remaining: number
  perNote: number
  mine: Record<string, number>
  eligible: (note: NoteSnap) => boolean
  dot: (noteId: string, add: boolean) => void
}

export interface Focus {
  cx: number
  cy: number
  scale: number
}

export interface BoardProps {
  model: BoardModel
  conn: BoardConnection | null
  me: Author
  label: string
  readOnly: boolean
  display?: boolean
  voting?: Voting | null
  results?: Map<string, { dots: number; rank: number }> | null
  lead?: Focus | null // a facilitator's view to jump to (a new object each time it moves)
  onViewChange?: (f: Focus) => void
  onSelection?: (ids: string[]) => void
}

const colorKey = (c: string): Key => (`color.${(NOTE_COLORS as readonly string[]).includes(c) ? c : 'yellow'}` as Key)

type Drag =
  | { kind: 'notes'; ids: string[]; startX: number; startY: number; applied: { x: number; y: number }; total: { x: number; y: number }; moved: boolean; pointer: number }
  | { kind: 'pan'; lastX: number; lastY: number; pointer: number }
  | { kind: 'marquee'; x0: number; y0: number; x1: number; y1: number; pointer: number }
  | { kind: 'section'; id: string; lastX: number; lastY: number; pointer: number; resize: boolean }

export function Board(props: BoardProps) {
  const { t, lang } = useI18n()
  const { model, conn, readOnly, display } = props
  const canvasRef = useRef<HTMLDivElement>(null)
  const worldRef = useRef<HTMLDivElement>(null)
  const viewRef = useRef<View>({ x: 0, y: 0, scale: 1 })
  const [zoom, setZoom] = useState(100)
  const [, setVersion] = useState(0)
  const [selected, setSelected] = useState<Set<string>>(new Set())
  const [editing, setEditing] = useState<string | null>(null)
  const [renaming, setRenaming] = useState<string | null>(null)
  const [color, setColor] = useState<string>('yellow')
  const [cursors, setCursors] = useState<Array<Presence & { clientId: number; x: number; y: number }>>([])
  const [marquee, setMarquee] = useState<{ x: number; y: number; w: number; h: number } | null>(null)
  const [help, setHelp] = useState(false)
  const drag = useRef<Drag | null>(null)
  const pendingFocus = useRef<string | null>(null)
  const fitted = useRef(false)
  const state = useRef({ selected, editing, readOnly, voting: props.voting })
  state.current = { selected, editing, readOnly, voting: props.voting }

  // ---- view --------------------------------------------------------------------------
  const applyView = useCallback((v: View) => {
    viewRef.current = v
    const w = worldRef.current
    if (w) {
      w.style.transform = `translate(${v.x}px, ${v.y}px) scale(${v.scale})`
      w.style.setProperty('--inv', String(1 / v.scale))
    }
    setZoom(Math.round(v.scale * 100))
    const c = canvasRef.current
    if (c && props.onViewChange) {
      const mid = centre(v, c.clientWidth, c.clientHeight)
      props.onViewChange({ cx: mid.x, cy: mid.y, scale: v.scale })
    }
  }, [props.onViewChange])

  const size = () => ({ w: canvasRef.current?.clientWidth ?? 800, h: canvasRef.current?.clientHeight ?? 600 })

  const fitAll = useCallback(() => {
    const { w, h } = size()
    const b = boundsOf(model.notes.values(), model.sections.values())
    applyView(fit(b, w, h, display ? 24 : 48, display ? 2 : 1))
  }, [model, display, applyView])

  /** A view change the person makes: it wins over the fit when a slow board first arrives. */
  const ownView = useCallback((v: View) => {
    fitted.current = true
    applyView(v)
  }, [applyView])

  const zoomBy = (factor: number) => {
    const { w, h } = size()
    ownView(zoomAt(viewRef.current, w / 2, h / 2, factor))
  }

  const ensureVisible = (n: NoteSnap) => {
    const { w, h } = size()
    const v = viewRef.current
    const sx = n.x * v.scale + v.x
    const sy = n.y * v.scale + v.y
    const m = 24
    let dx = 0
    let dy = 0
    if (sx < m) dx = m - sx
    else if (sx + NOTE_W * v.scale > w - m) dx = w - m - (sx + NOTE_W * v.scale)
    if (sy < m) dy = m - sy
    else if (sy + NOTE_H * v.scale > h - m) dy = h - m - (sy + NOTE_H * v.scale)
    if (dx || dy) applyView(pan(v, dx, dy))
  }

  // ---- document changes -----------------------------------------------------------------
  useEffect(() => {
    fitted.current = false
    setSelected(new Set())
    setEditing(null)
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

  useLayoutEffect(() => {
    if (!worldRef.current) return
    applyView(viewRef.current)
  }, [])

  // fit once the board has arrived (and always, on the Lab display)
  const synced = conn?.synced ?? true
  useEffect(() => {
    if (!conn) return
    let cancelled = false
    conn.whenSynced().then(() => {
      if (cancelled || fitted.current) return
      fitted.current = true
      fitAll()
    })
    return () => {
      cancelled = true
    }
  }, [conn, fitAll])

  useEffect(() => {
    if (!display) return
    const id = setInterval(() => fitAll(), 1500)
    const onResize = () => fitAll()
    window.addEventListener('resize', onResize)
    return () => {
      clearInterval(id)
      window.removeEventListener('resize', onResize)
    }
  }, [display, fitAll])

  useEffect(() => {
    if (!props.lead) return
    fitted.current = true // the facilitator's view, not a fit, once the board arrives
    const { w, h } = size()
    const s = clampScale(props.lead.scale)
    applyView({ scale: s, x: w / 2 - props.lead.cx * s, y: h / 2 - props.lead.cy * s })
  }, [props.lead])

  useEffect(() => {
    props.onSelection?.([...selected])
  }, [selected])

  // focus a note once it is rendered (after creating it, or after deleting its neighbour)
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

  // ---- live cursors -----------------------------------------------------------------------
  useEffect(() => {
    if (!conn) return
    const aw = conn.awareness
    let frame = 0
    const read = () => {
      frame = 0
      const list: Array<Presence & { clientId: number; x: number; y: number }> = []
      aw.getStates().forEach((s, clientId) => {
        if (clientId === aw.clientID) return
        const st = s as { user?: Presence; cursor?: { x: number; y: number } | null }
        if (st.user && st.cursor && Number.isFinite(st.cursor.x) && Number.isFinite(st.cursor.y)) {
          list.push({ ...st.user, clientId, x: st.cursor.x, y: st.cursor.y })
        }
      })
      setCursors(list)
    }
    const onChange = () => {
      if (!frame) frame = requestAnimationFrame(read)
    }
    aw.on('change', onChange)
    read()
    return () => {
      aw.off('change', onChange)
      if (frame) cancelAnimationFrame(frame)
    }
  }, [conn])

  const lastCursor = useRef(0)
  const sendCursor = (e: PointerEvent) => {
    if (!conn || display) return
    const now = performance.now()
    if (now - lastCursor.current < 50) return
    lastCursor.current = now
    const p = toWorldFromEvent(e)
    conn.setCursor({ x: Math.round(p.x), y: Math.round(p.y) })
  }

  // ---- helpers ---------------------------------------------------------------------------
  const toWorldFromEvent = (e: { clientX: number; clientY: number }) => {
    const r = canvasRef.current!.getBoundingClientRect()
    return toWorld(viewRef.current, e.clientX - r.left, e.clientY - r.top)
  }

  const selection = (fallback?: string) => {
    const sel = state.current.selected
    if (fallback && !sel.has(fallback)) return [fallback]
    return sel.size ? [...sel] : fallback ? [fallback] : []
  }

  const newNote = (at?: { x: number; y: number }) => {
    if (readOnly) return
    const { w, h } = size()
    const c = at ?? model.freeSpot(centre(viewRef.current, w, h - 60))
    const pos = at ? { x: c.x - NOTE_W / 2, y: c.y - NOTE_H / 2 } : c
    const id = model.createNote(props.me, pos, color)
    setSelected(new Set([id]))
    setEditing(id)
    pendingFocus.current = id
    announce(t('note.created'))
  }

  const newSection = () => {
    if (readOnly) return
    const { w, h } = size()
    const c = centre(viewRef.current, w, h)
    const id = model.createSection({ x: c.x - 280, y: c.y - 190 }, t('section.defaultTitle'))
    setRenaming(id)
    announce(t('section.created'))
  }

  const deleteNotes = (ids: string[]) => {
    if (readOnly || ids.length === 0) return
    const order = [...model.notes.keys()]
    const next = order.find((id, i) => i > order.indexOf(ids[ids.length - 1]) && !ids.includes(id))
    model.deleteNotes(ids)
    setSelected(new Set())
    announce(t(ids.length === 1 ? 'note.deleted' : 'note.deletedMany', { count: ids.length }))
    if (next) pendingFocus.current = next
    else canvasRef.current?.focus()
  }

  const recolor = (c: string) => {
    setColor(c)
    const ids = [...state.current.selected]
    if (ids.length && !readOnly) model.setColor(ids, c)
  }

  // ---- pointer ----------------------------------------------------------------------------
  const onNotePointerDown = useCallback((e: PointerEvent, id: string) => {
    if (e.button !== 0 || state.current.editing === id) return
    e.stopPropagation()
    const sel = state.current.selected
    let ids: string[]
    if (e.shiftKey || e.metaKey || e.ctrlKey) {
      const next = new Set(sel)
      if (next.has(id)) next.delete(id)
      else next.add(id)
      setSelected(next)
      ids = [...next]
    } else if (sel.has(id)) {
      ids = [...sel]
    } else {
      setSelected(new Set([id]))
      ids = [id]
    }
    ;(e.currentTarget as HTMLElement).focus({ preventScroll: true })
    if (state.current.readOnly || !ids.includes(id)) return
    canvasRef.current?.setPointerCapture(e.pointerId)
    drag.current = { kind: 'notes', ids, startX: e.clientX, startY: e.clientY, applied: { x: 0, y: 0 }, total: { x: 0, y: 0 }, moved: false, pointer: e.pointerId }
  }, [])

  const onSectionPointerDown = useCallback((e: PointerEvent, id: string, resize: boolean) => {
    if (e.button !== 0 || state.current.readOnly) return
    e.stopPropagation()
    canvasRef.current?.setPointerCapture(e.pointerId)
    drag.current = { kind: 'section', id, lastX: e.clientX, lastY: e.clientY, pointer: e.pointerId, resize }
  }, [])

  const onCanvasPointerDown = (e: PointerEvent) => {
    if (display || e.button !== 0) return
    if (state.current.editing) setEditing(null)
    canvasRef.current?.setPointerCapture(e.pointerId)
    if (e.shiftKey) {
      const r = canvasRef.current!.getBoundingClientRect()
      const x = e.clientX - r.left
      const y = e.clientY - r.top
      drag.current = { kind: 'marquee', x0: x, y0: y, x1: x, y1: y, pointer: e.pointerId }
    } else {
      setSelected(new Set())
      drag.current = { kind: 'pan', lastX: e.clientX, lastY: e.clientY, pointer: e.pointerId }
    }
  }

  const moveFrame = useRef(0)
  const onPointerMove = (e: PointerEvent) => {
    sendCursor(e)
    const d = drag.current
    if (!d || d.pointer !== e.pointerId) return
    const scale = viewRef.current.scale
    if (d.kind === 'pan') {
      ownView(pan(viewRef.current, e.clientX - d.lastX, e.clientY - d.lastY))
      d.lastX = e.clientX
      d.lastY = e.clientY
    } else if (d.kind === 'marquee') {
      const r = canvasRef.current!.getBoundingClientRect()
      d.x1 = e.clientX - r.left
      d.y1 = e.clientY - r.top
      setMarquee({ x: Math.min(d.x0, d.x1), y: Math.min(d.y0, d.y1), w: Math.abs(d.x1 - d.x0), h: Math.abs(d.y1 - d.y0) })
    } else if (d.kind === 'notes') {
      const tx = (e.clientX - d.startX) / scale
      const ty = (e.clientY - d.startY) / scale
      if (!d.moved && Math.hypot(e.clientX - d.startX, e.clientY - d.startY) < 4) return
      d.moved = true
      d.total = { x: tx, y: ty }
      if (!moveFrame.current) {
        moveFrame.current = requestAnimationFrame(() => {
          moveFrame.current = 0
          const dd = drag.current
          if (!dd || dd.kind !== 'notes') return
          model.moveNotes(dd.ids, dd.total.x - dd.applied.x, dd.total.y - dd.applied.y, false)
          dd.applied = { ...dd.total }
        })
      }
    } else if (d.kind === 'section') {
      const dx = (e.clientX - d.lastX) / scale
      const dy = (e.clientY - d.lastY) / scale
      d.lastX = e.clientX
      d.lastY = e.clientY
      const s = model.sections.get(d.id)
      if (!s) return
      if (d.resize) model.updateSection(d.id, { w: Math.max(160, s.w + dx), h: Math.max(120, s.h + dy) })
      else model.moveSection(d.id, dx, dy)
    }
  }

  const onPointerUp = (e: PointerEvent) => {
    const d = drag.current
    if (!d || d.pointer !== e.pointerId) return
    drag.current = null
    if (d.kind === 'notes') {
      if (moveFrame.current) {
        cancelAnimationFrame(moveFrame.current)
        moveFrame.current = 0
      }
      if (d.moved) {
        const scale = viewRef.current.scale
        const tx = (e.clientX - d.startX) / scale
        const ty = (e.clientY - d.startY) / scale
        model.moveNotes(d.ids, tx - d.applied.x, ty - d.applied.y, true)
      }
    } else if (d.kind === 'marquee') {
      setMarquee(null)
      const v = viewRef.current
      const a = toWorld(v, Math.min(d.x0, d.x1), Math.min(d.y0, d.y1))
      const b = toWorld(v, Math.max(d.x0, d.x1), Math.max(d.y0, d.y1))
      const ids = [...model.notes.values()]
        .filter((n) => n.x + NOTE_W > a.x && n.x < b.x && n.y + NOTE_H > a.y && n.y < b.y)
        .map((n) => n.id)
      setSelected(new Set([...state.current.selected, ...ids]))
      if (ids.length) announce(t('note.selectedCount', { count: ids.length }))
    }
  }

  useEffect(() => {
    const c = canvasRef.current
    if (!c || display) return
    const onWheel = (e: WheelEvent) => {
      e.preventDefault()
      const r = c.getBoundingClientRect()
      if (e.ctrlKey || e.metaKey) {
        ownView(zoomAt(viewRef.current, e.clientX - r.left, e.clientY - r.top, Math.exp(-e.deltaY * 0.01)))
      } else {
        ownView(pan(viewRef.current, -e.deltaX, -e.deltaY))
      }
    }
    c.addEventListener('wheel', onWheel, { passive: false })
    return () => c.removeEventListener('wheel', onWheel)
  }, [display, ownView])

  const onCanvasDblClick = (e: MouseEvent) => {
    if (readOnly || display) return
    const target = e.target as HTMLElement
    if (target.closest('.note') || target.closest('.section-head')) return
    newNote(toWorldFromEvent(e))
  }

  // ---- keyboard -----------------------------------------------------------------------------
  const onCanvasKeyDown = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement
    if (target.closest('textarea, input, select')) return
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
    const onCanvas = target === canvasRef.current
    const step = e.shiftKey ? 200 : 60
    switch (e.key) {
      case 'n':
      case 'N':
        if (readOnly) return
        e.preventDefault()
        newNote()
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
        setHelp(true)
        return
      case 'Escape':
        setSelected(new Set())
        return
    }
    if (!onCanvas) return
    const arrows: Record<string, [number, number]> = {
      ArrowLeft: [step, 0],
      ArrowRight: [-step, 0],
      ArrowUp: [0, step],
      ArrowDown: [0, -step],
    }
    if (arrows[e.key]) {
      e.preventDefault()
      ownView(pan(viewRef.current, ...arrows[e.key]))
    }
  }

  const onNoteKeyDown = useCallback((e: KeyboardEvent, id: string) => {
    if ((e.target as HTMLElement).tagName !== 'DIV') return // buttons and the editor handle their own
    const s = state.current
    const mod = e.ctrlKey || e.metaKey
    if (mod || e.altKey) return
    const note = model.notes.get(id)
    if (!note) return
    const moveStep = e.shiftKey ? 100 : 20
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-moveStep, 0],
      ArrowRight: [moveStep, 0],
      ArrowUp: [0, -moveStep],
      ArrowDown: [0, moveStep],
    }
    if (moves[e.key]) {
      e.preventDefault()
      e.stopPropagation()
      if (s.readOnly) return
      const ids = selection(id)
      model.moveNotes(ids, ...moves[e.key], true)
      const moved = model.notes.get(id)
      if (moved) ensureVisible(moved)
      return
    }
    switch (e.key) {
      case 'Enter':
      case 'F2':
        e.preventDefault()
        e.stopPropagation()
        if (s.readOnly) return
        setEditing(id)
        pendingFocus.current = id
        return
      case 'Delete':
      case 'Backspace':
        e.preventDefault()
        e.stopPropagation()
        deleteNotes(selection(id))
        return
      case ' ': {
        e.preventDefault()
        e.stopPropagation()
        const next = new Set(s.selected)
        const on = !next.has(id)
        if (on) next.add(id)
        else next.delete(id)
        setSelected(next)
        announce(t(on ? 'note.selected' : 'note.unselected'))
        return
      }
      case 'c':
      case 'C': {
        e.preventDefault()
        e.stopPropagation()
        if (s.readOnly) return
        const i = (NOTE_COLORS as readonly string[]).indexOf(note.color)
        const c = NOTE_COLORS[(i + 1) % NOTE_COLORS.length]
        model.setColor(selection(id), c)
        setColor(c)
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

  const onNoteFocus = useCallback((id: string) => {
    const n = model.notes.get(id)
    if (n) ensureVisible(n)
  }, [model])

  const finishEdit = useCallback((id: string, refocus: boolean) => {
    setEditing((cur) => (cur === id ? null : cur))
    if (refocus) pendingFocus.current = id
  }, [])

  const onEditDblClick = useCallback((id: string) => {
    if (state.current.readOnly) return
    setEditing(id)
    pendingFocus.current = id
  }, [])

  const handlers = useMemo(
    () => ({
      pointerDown: onNotePointerDown,
      keyDown: onNoteKeyDown,
      focus: onNoteFocus,
      dblClick: onEditDblClick,
      finish: finishEdit,
      setText: (id: string, text: string) => model.setText(id, text),
      dot: (id: string, add: boolean) => state.current.voting?.dot(id, add),
    }),
    [model],
  )

  // ---- render -------------------------------------------------------------------------------
  const notes = [...model.notes.values()].sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1))
  const sections = [...model.sections.values()]
  const voting = props.voting ?? null
  const results = props.results ?? null

  return (
    <div class={`board${display ? ' display' : ''}`}>
      {!display && !readOnly && (
        <div class="board-toolbar" role="toolbar" aria-label={t('board.tools')}>
          <>
              <button type="button" class="primary" onClick={() => newNote()} data-testid="new-note">
                {t('board.newNote')}
              </button>
              <button type="button" onClick={newSection}>
                {t('board.newSection')}
              </button>
              <div class="swatches" role="group" aria-label={t('board.color')}>
                {NOTE_COLORS.map((c) => (
                  <button
                    type="button"
                    key={c}
                    class={`swatch c-${c}`}
                    aria-pressed={color === c}
                    aria-label={t(colorKey(c))}
                    title={t(colorKey(c))}
                    onClick={() => recolor(c)}
                  />
                ))}
              </div>
              <button type="button" onClick={() => deleteNotes([...selected])} disabled={selected.size === 0}>
                {t('board.deleteSelected', { count: selected.size })}
              </button>
              <button type="button" onClick={() => model.undo.undo()} aria-keyshortcuts="Control+Z">
                {t('board.undo')}
              </button>
          </>
        </div>
      )}
      {voting && (
        <p class="vote-bar" data-testid="vote-bar">
          {t('vote.bar', { title: voting.title || t('vote.untitled'), count: voting.remaining })}
        </p>
      )}
      <div
        ref={canvasRef}
        class="canvas"
        tabIndex={display ? -1 : 0}
        role="region"
        aria-label={props.label}
        aria-describedby={display ? undefined : 'board-help'}
        aria-busy={!synced}
        data-testid="canvas"
        onPointerDown={onCanvasPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onPointerLeave={() => conn && !display && conn.setCursor(null)}
        onDblClick={onCanvasDblClick}
        onKeyDown={onCanvasKeyDown}
      >
        <div ref={worldRef} class="world">
          {sections.map((s) => (
            <SectionView
              key={s.id}
              section={s}
              readOnly={readOnly}
              renaming={renaming === s.id}
              model={model}
              onRename={setRenaming}
              onPointerDown={onSectionPointerDown}
            />
          ))}
          <div class="notes">
            {notes.map((n) => (
              <NoteView
                key={n.id}
                note={n}
                selected={selected.has(n.id)}
                editing={editing === n.id}
                readOnly={readOnly}
                voteMine={voting && voting.eligible(n) ? (voting.mine[n.id] ?? 0) : -1}
                result={results?.get(n.id) ?? null}
                lang={lang}
                h={handlers}
              />
            ))}
          </div>
          <div class="cursors" aria-hidden="true">
            {cursors.map((c) => (
              <div class="cursor" key={c.clientId} style={{ transform: `translate(${c.x}px, ${c.y}px) scale(var(--inv))` }}>
                <svg width="18" height="22" viewBox="0 0 18 22" aria-hidden="true">
                  <path d="M1 1 L1 18 L6 13 L10 21 L13 19.5 L9 12 L16 12 Z" fill={c.color} stroke="#fff" stroke-width="1.5" />
                </svg>
                <span class="cursor-name" style={{ background: c.color }}>
                  {c.name}
                </span>
              </div>
            ))}
          </div>
        </div>
        {marquee && <div class="marquee" style={{ left: marquee.x, top: marquee.y, width: marquee.w, height: marquee.h }} />}
        {synced && notes.length === 0 && sections.length === 0 && (
          <p class="empty-hint">{readOnly ? t('board.emptyReadOnly') : t('board.empty')}</p>
        )}
      </div>
      {!display && (
        <div class="view-controls" role="group" aria-label={t('board.view')}>
          <button type="button" onClick={() => zoomBy(0.8)} aria-label={t('board.zoomOut')}>
            −
          </button>
          <span class="zoom">{zoom}%</span>
          <button type="button" onClick={() => zoomBy(1.25)} aria-label={t('board.zoomIn')}>
            +
          </button>
          <button type="button" onClick={fitAll}>
            {t('board.fit')}
          </button>
          <button type="button" onClick={() => setHelp(true)} aria-keyshortcuts="?">
            {t('board.help')}
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

interface NoteHandlers {
  pointerDown: (e: PointerEvent, id: string) => void
  keyDown: (e: KeyboardEvent, id: string) => void
  focus: (id: string) => void
  dblClick: (id: string) => void
  finish: (id: string, refocus: boolean) => void
  setText: (id: string, text: string) => void
  dot: (id: string, add: boolean) => void
}

const NoteView = memo(function NoteView(props: {
  note: NoteSnap
  selected: boolean
  editing: boolean
  readOnly: boolean
  voteMine: number // -1: not votable now
  result: { dots: number; rank: number } | null
  lang: string
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
      class={`note c-${note.color}${props.selected ? ' selected' : ''}${props.editing ? ' editing' : ''}`}
      style={{ transform: `translate(${note.x}px, ${note.y}px)` }}
      data-note={note.id}
      tabIndex={0}
      role="group"
      aria-roledescription={t('note.role')}
      aria-label={label}
      onPointerDown={(e) => h.pointerDown(e, note.id)}
      onKeyDown={(e) => h.keyDown(e, note.id)}
      onFocus={(e) => e.target === e.currentTarget && h.focus(note.id)}
      onDblClick={(e) => {
        e.stopPropagation()
        h.dblClick(note.id)
      }}
    >
      {props.editing && !props.readOnly ? (
        <NoteEditor note={note} h={h} />
      ) : (
        <p class="note-text">{note.text || <span class="placeholder">{t('note.empty')}</span>}</p>
      )}
      <span class="note-author">{note.author_name}</span>
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

function SectionView(props: {
  section: SectionSnap
  readOnly: boolean
  renaming: boolean
  model: BoardModel
  onRename: (id: string | null) => void
  onPointerDown: (e: PointerEvent, id: string, resize: boolean) => void
}) {
  const t = useT()
  const { section: s, model } = props
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
    const step = 20
    const d: Record<string, [number, number]> = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, -step],
      ArrowDown: [0, step],
    }
    if (d[e.key]) {
      e.preventDefault()
      e.stopPropagation()
      const [dx, dy] = d[e.key]
      if (e.shiftKey) model.updateSection(s.id, { w: Math.max(160, s.w + dx), h: Math.max(120, s.h + dy) })
      else model.moveSection(s.id, dx, dy)
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
    <div class={`section s-${s.color}`} style={{ transform: `translate(${s.x}px, ${s.y}px)`, width: s.w, height: s.h }}>
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
          aria-label={s.title || t('section.untitled')}
          onKeyDown={onKey}
          onPointerDown={(e) => props.onPointerDown(e, s.id, false)}
          onDblClick={(e) => {
            e.stopPropagation()
            if (!props.readOnly) props.onRename(s.id)
          }}
        >
          {s.title || t('section.untitled')}
        </div>
      )}
      {!props.readOnly && (
        <div class="section-resize" aria-hidden="true" onPointerDown={(e) => props.onPointerDown(e, s.id, true)} />
      )}
    </div>
  )
}

function KeyboardHelp({ onClose }: { onClose: () => void }) {
  const t = useT()
  const rows: Array<[string, Key]> = [
    ['N', 'help.newNote'],
    ['Enter / F2', 'help.edit'],
    ['Esc, Ctrl+Enter', 'help.stopEdit'],
    ['← ↑ → ↓', 'help.move'],
    ['Shift + ← ↑ → ↓', 'help.moveFar'],
    ['Space', 'help.select'],
    ['C', 'help.color'],
    ['V / Shift+V', 'help.vote'],
    ['Delete', 'help.delete'],
    ['Ctrl+Z / Ctrl+Y', 'help.undo'],
    ['Ctrl+A', 'help.selectAll'],
    ['+ / − / 0', 'help.zoom'],
    ['Tab', 'help.tab'],
  ]
  return (
    <Dialog title={t('help.title')} onClose={onClose}>
      <p>{t('help.canvas')}</p>
      <table class="keys">
        <tbody>
          {rows.map(([k, key]) => (
            <tr key={key}>
              <th scope="row">
                <kbd>{k}</kbd>
              </th>
              <td>{t(key)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  )
}
