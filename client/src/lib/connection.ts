// One board document over the stock y-websocket WebsocketProvider, plus the health of its
// connection (for the banner) and the Yjs awareness of the people on it.

import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import { Pacer } from './lead'
import { ConnectionMonitor, type ConnectionView } from './reconnect'

/** The fastest this screen sends its awareness state (cursor and drag), in milliseconds. */
export const AWARENESS_INTERVAL_MS = 50

export interface Presence {
  id: string // participant id, or a per-browser id for facilitators and displays
  name: string
  role: string
  color: string
  board?: string
  cursor?: { x: number; y: number } | null
}

export function wsBase(sessionId: string, loc: Location = location): string {
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws'
  return `${scheme}://${loc.host}/ws/${encodeURIComponent(sessionId)}`
}

export class BoardConnection {
  readonly doc = new Y.Doc()
  readonly provider: WebsocketProvider
  readonly monitor: ConnectionMonitor
  private syncedOnce = false
  private destroyed = false
  private readyWaiters: Array<() => void> = []
  private pending: Record<string, unknown> | null = null
  private readonly pacer = new Pacer<null>(AWARENESS_INTERVAL_MS, async () => this.flush())

  constructor(
    readonly sessionId: string,
    readonly board: string,
    token: string,
    onHealth: (view: ConnectionView) => void = () => {},
  ) {
    this.monitor = new ConnectionMonitor(onHealth)
    this.provider = new WebsocketProvider(wsBase(sessionId), board, this.doc, {
      params: { token },
      disableBc: true,
      maxBackoffTime: 4000,
    })
    this.provider.on('sync', (synced: boolean) => {
      if (!synced || this.destroyed) return
      this.monitor.synced()
      if (!this.syncedOnce) {
        this.syncedOnce = true
        for (const fn of this.readyWaiters.splice(0)) fn()
      }
    })
    this.provider.on('connection-close', (event: CloseEvent | null) => {
      if (!this.destroyed) this.monitor.closed(event ? event.code : null)
    })
    this.provider.on('connection-error', () => {
      if (!this.destroyed) this.monitor.closed(null)
    })
  }

  get awareness() {
    return this.provider.awareness
  }

  get synced(): boolean {
    return this.syncedOnce
  }

  whenSynced(): Promise<void> {
    return this.syncedOnce ? Promise.resolve() : new Promise((resolve) => this.readyWaiters.push(resolve))
  }

  setPresence(p: Presence): void {
    this.awareness.setLocalState({ ...this.awareness.getLocalState(), user: p })
  }

  setCursor(cursor: { x: number; y: number } | null): void {
    this.setFields({ cursor })
  }

  /** What this screen is moving on the board (ui/board/motion.ts), or null when nothing. */
  setDrag(drag: unknown): void {
    this.setFields({ drag })
  }

  /** Fields go out together, at most one awareness message per AWARENESS_INTERVAL_MS with
   *  the latest of each (a pointer move that carries both the cursor and a drag is one
   *  frame to everyone on the board, not two), and the last one always. */
  private setFields(fields: Record<string, unknown>): void {
    if (!this.pending) {
      this.pending = {}
      queueMicrotask(() => this.pacer.push(null)) // what else this task sets goes along
    }
    Object.assign(this.pending, fields)
  }

  private flush(): void {
    const f = this.pending
    this.pending = null
    if (f && !this.destroyed) this.awareness.setLocalState({ ...this.awareness.getLocalState(), ...f })
  }

  /** Open the socket again after a refusal (which the provider never retries), keeping
   * the document: for a refusal that control says is over, such as a private board whose
   * writing a failed reveal put back on. Edits made meanwhile are sent once it syncs. */
  retry(): void {
    if (this.destroyed || this.provider.wsconnected || this.provider.wsconnecting) return
    this.monitor.retrying()
    this.provider.connect()
  }

  destroy(): void {
    this.destroyed = true
    this.pacer.cancel()
    this.monitor.dispose()
    this.provider.destroy()
    this.doc.destroy()
  }
}
