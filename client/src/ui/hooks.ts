import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { BoardModel } from '../lib/board'
import { clock } from '../lib/clock'
import { BoardConnection, type Presence } from '../lib/connection'
import { type ControlState, emptyControl, readControl } from '../lib/control'
import type { ConnectionView } from '../lib/reconnect'

const initialHealth: ConnectionView = { health: 'connecting', banner: false, refusedCode: null }

export interface OnlineEntry extends Presence {
  clientId: number
}

/** The session's `control` document, the people present on it, and its connection. */
export function useControl(sessionId: string, token: string | null, presence: Presence | null) {
  const [state, setState] = useState<ControlState>(emptyControl)
  const [health, setHealth] = useState<ConnectionView>(initialHealth)
  const [online, setOnline] = useState<OnlineEntry[]>([])
  const [synced, setSynced] = useState(false)
  const conn = useMemo(() => (token ? new BoardConnection(sessionId, 'control', token, setHealth) : null), [sessionId, token])

  useEffect(() => {
    if (!conn) return
    let queued = false
    const refresh = () => {
      if (queued) return
      queued = true
      queueMicrotask(() => {
        queued = false
        setState(readControl(conn.doc))
      })
    }
    conn.doc.on('update', refresh)
    conn.whenSynced().then(() => {
      setSynced(true)
      refresh()
    })
    const onAwareness = () => {
      const list: OnlineEntry[] = []
      conn.awareness.getStates().forEach((s, clientId) => {
        const user = (s as { user?: Presence }).user
        if (user && typeof user.id === 'string') list.push({ ...user, clientId })
      })
      setOnline(list)
    }
    conn.awareness.on('change', onAwareness)
    onAwareness()
    void clock.sync()
    return () => {
      conn.doc.off('update', refresh)
      conn.awareness.off('change', onAwareness)
      conn.destroy()
    }
  }, [conn])

  useEffect(() => {
    if (conn && presence) conn.setPresence(presence)
  }, [conn, presence?.id, presence?.name, presence?.role, presence?.board])

  return { state, health, online, synced, conn }
}

/** One board's document and connection; a new one whenever `board` changes.
 *  Health and sync are read from the connection itself, and its events only make this
 *  render again: a new board's socket may be refused (4403) before this hook's effects run,
 *  and the old board's last events may land after it; neither can stand for the other. */
export function useBoard(sessionId: string, board: string, token: string | null, presence: Presence | null) {
  const [, setVersion] = useState(0)
  const changed = () => setVersion((n) => n + 1)
  const pair = useMemo(() => {
    if (!token) return null
    const conn = new BoardConnection(sessionId, board, token, changed)
    return { conn, model: new BoardModel(conn.doc) }
  }, [sessionId, board, token])

  useEffect(() => {
    if (!pair) return
    let live = true
    pair.conn.whenSynced().then(() => live && changed())
    return () => {
      live = false
      pair.model.destroy()
      pair.conn.destroy()
    }
  }, [pair])

  useEffect(() => {
    if (pair && presence) pair.conn.setPresence({ ...presence, board })
  }, [pair, presence?.id, presence?.name, presence?.role])

  return {
    conn: pair?.conn ?? null,
    model: pair?.model ?? null,
    health: pair ? pair.conn.monitor.view : initialHealth,
    synced: pair ? pair.conn.synced : false,
  }
}

/** The server's clock, re-read every `ms` while `active`. */
export function useServerNow(ms: number, active = true): number {
  const [now, setNow] = useState(() => clock.serverNow())
  useEffect(() => {
    if (!active) return
    const id = setInterval(() => setNow(clock.serverNow()), ms)
    setNow(clock.serverNow())
    return () => clearInterval(id)
  }, [ms, active])
  return now
}

/** The previous value of something, across renders. */
export function usePrevious<T>(value: T): T | undefined {
  const ref = useRef<T>()
  const prev = ref.current
  ref.current = value
  return prev
}

/** A ref that always holds the latest value, for handlers made once that must read it later. */
export function useLatest<T>(value: T): { readonly current: T } {
  const ref = useRef(value)
  ref.current = value
  return ref
}
