// Filling a board before a measurement: notes for `join`, a long update log for `coldload`.

import { BenchClient } from './client.js'

const CONNECT_TIMEOUT_MS = 30000
/** Give up when the server has echoed nothing new for this long. */
const STALL_MS = 30000

/**
 * Counts the echoes of one writer's own updates and lets a loop wait for them.
 */
class EchoWatch {
  /** @param {BenchClient} client a writer */
  constructor (client) {
    this.client = client
    this.echoes = 0
    this.lastMove = Date.now()
    /** @type {(() => void)|null} */
    this.wake = null
    client.onMarker = (writer) => {
      if (writer !== client.spec.writer) return
      this.echoes++
      this.lastMove = Date.now()
      this.wake?.()
    }
  }

  /**
   * Waits until `done()`, failing when the connection closes or nothing is echoed for STALL_MS.
   * @param {() => boolean} done
   */
  async until (done) {
    while (!done()) {
      if (this.client.closeCode !== 0) {
        throw new Error(`fill: connection closed with ${this.client.closeCode} after ` +
          `${this.echoes} echoes`)
      }
      if (Date.now() - this.lastMove > STALL_MS) {
        throw new Error(`fill: no echo for ${STALL_MS / 1000} s after ${this.echoes} echoes`)
      }
      await new Promise((resolve) => {
        this.wake = () => resolve(undefined)
        setTimeout(resolve, 100)
      })
      this.wake = null
    }
  }
}

/**
 * Adds `notes` sticky notes in updates of `batch` notes and waits for the server's echo of the
 * last one. The filler stays connected (an anchor without persistence would drop the room).
 * @param {{url: string, board: string, writer: number, notes: number, batch: number}} args
 * @param {import('./tally.js').Tally} tally
 * @param {{deflate: boolean}} options
 */
export async function fillNotes (args, tally, options) {
  const client = new BenchClient({ url: args.url, board: args.board, writer: args.writer }, tally,
    options)
  await client.connect(CONNECT_TIMEOUT_MS)
  const watch = new EchoWatch(client)
  const started = Date.now()
  let seq = 0
  for (let first = 0; first < args.notes; first += args.batch, seq++) {
    client.addNotes(first, Math.min(args.batch, args.notes - first), seq)
  }
  const last = seq - 1
  await watch.until(() => client.seen.has(args.writer, last))
  return { client, ms: Date.now() - started, lastMarker: `<<bm${args.writer}-${last}@` }
}

/**
 * Sends `count` small updates (note moves) over `connections` writers, each paced at `rate`
 * messages/s (servers limit what one connection may send) with at most `window` not yet
 * echoed. Resolves when every update has come back.
 * @param {{url: string, board: string, count: number, connections: number, rate: number,
 *   window: number}} args
 * @param {import('./tally.js').Tally} tally
 * @param {{deflate: boolean}} options
 */
export async function fillUpdates (args, tally, options) {
  const clients = Array.from({ length: args.connections }, (_, writer) =>
    new BenchClient({ url: args.url, board: args.board, writer, notes: 8 }, tally, options))
  await Promise.all(clients.map((c) => c.connect(CONNECT_TIMEOUT_MS)))
  const started = Date.now()
  const counts = clients.map((_, i) =>
    Math.floor(args.count / args.connections) + (i < args.count % args.connections ? 1 : 0))
  await Promise.all(clients.map(async (client, i) => {
    const watch = new EchoWatch(client)
    for (let seq = 0; seq < counts[i]; seq++) {
      const due = started + seq * 1000 / args.rate
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()))
      await watch.until(() => seq - watch.echoes < args.window)
      client.write(seq)
    }
    await watch.until(() => watch.echoes >= counts[i])
  }))
  const lastMarkers = clients.map((_, i) => `<<bm${i}-${counts[i] - 1}@`)
  return { clients, ms: Date.now() - started, lastMarkers }
}
