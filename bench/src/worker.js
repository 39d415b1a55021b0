// A generator process: hosts a slice of the simulated clients and answers the coordinator.
// Started by pool.js; speaks { id, op, args } -> { id, result | error } over the IPC channel.

import { monitorEventLoopDelay } from 'node:perf_hooks'
import { BenchClient } from './client.js'
import { nowMicros } from './markers.js'
import { Tally } from './tally.js'
import { fillNotes, fillUpdates } from './fill.js'
import { playWorkshop } from './workshop.js'

const tally = new Tally()
/** @type {BenchClient[]} */
let clients = []
/** @type {BenchClient[]} */
let fillers = []
let options = { deflate: false }
let cpuMark = process.cpuUsage()
/** The event-loop delay histogram samples a timer this often; what it records is the whole
 * interval, so a loop that is never late reads this much. */
const LOOP_RESOLUTION_MS = 10
let loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS })

const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Waits until a point of the shared monotonic clock.
 * @param {number} atMicros
 */
async function until (atMicros) {
  const ms = (atMicros - nowMicros()) / 1000
  if (ms > 0) await sleep(ms)
}

const handlers = {
  /** @param {{deflate: boolean}} args */
  configure (args) {
    options = { ...options, ...args }
    return true
  },

  /**
   * Connects clients, at most `concurrency` handshakes at a time, optionally starting at a
   * given moment. Resolves when every one is synced or has failed.
   * @param {{clients: import('./client.js').ClientSpec[], concurrency: number,
   *   timeoutMs: number, atMicros?: number, expect?: string[]}} args expect: strings the
   *   server's step 2 must all contain (the document is complete)
   */
  async connect (args) {
    if (args.atMicros !== undefined) await until(args.atMicros)
    const batch = args.clients.map((spec) => new BenchClient(spec, tally, options))
    /** @type {Record<string, number>} */
    const errors = {}
    /** @type {Record<string, number>} */
    const syncedByBoard = {}
    let next = 0
    const lane = async () => {
      while (next < batch.length) {
        const client = batch[next++]
        client.expect = args.expect ?? []
        try {
          await client.connect(args.timeoutMs)
          clients.push(client)
          syncedByBoard[client.spec.board] = (syncedByBoard[client.spec.board] ?? 0) + 1
        } catch (err) {
          const reason = /** @type {Error} */ (err).message
          errors[reason] = (errors[reason] ?? 0) + 1
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(args.concurrency, batch.length) }, lane))
    const synced = batch.filter((c) => c.synced)
    return {
      synced: synced.length,
      failed: batch.length - synced.length,
      errors,
      syncedByBoard,
      connectMicros: synced.map((c) => c.connectMicros),
      syncedMicros: synced.map((c) => c.syncedMicros),
      step2Bytes: synced.map((c) => c.step2Bytes),
      complete: synced.filter((c) => c.complete).length,
      deflated: synced.filter((c) => c.ws?.extensions.includes('permessage-deflate')).length
    }
  },

  /**
   * Sends the writers' updates on a shared schedule: all writers of the run, in order of their
   * global id, take turns at `rate * totalWriters` updates per second in total. Sequence
   * numbers start at `firstSeq` (default 0), so successive calls never repeat a marker.
   * @param {{atMicros: number, rate: number, durationMs: number, totalWriters: number,
   *   firstSeq?: number}} args
   */
  async write (args) {
    const writers = clients.filter((c) => c.spec.writer !== null)
    const perWriter = Math.max(1, Math.round(args.rate * args.durationMs / 1000))
    const stepMicros = 1e6 / (args.rate * args.totalWriters)
    /** @type {{client: BenchClient, slot: number}[]} */
    const plan = []
    for (let seq = 0; seq < perWriter; seq++) {
      for (const client of writers) {
        plan.push({ client, slot: seq * args.totalWriters + /** @type {number} */ (client.spec.writer) })
      }
    }
    plan.sort((a, b) => a.slot - b.slot)
    /** @type {Record<string, number>} */
    const sent = {}
    let worstLateMicros = 0
    for (let i = 0; i < plan.length;) {
      const now = nowMicros()
      const due = args.atMicros + plan[i].slot * stepMicros
      if (due > now) {
        await sleep((due - now) / 1000)
        continue
      }
      worstLateMicros = Math.max(worstLateMicros, now - due)
      while (i < plan.length && args.atMicros + plan[i].slot * stepMicros <= now) {
        const { client, slot } = plan[i++]
        client.write((args.firstSeq ?? 0) + Math.floor(slot / args.totalWriters))
        sent[client.spec.board] = (sent[client.spec.board] ?? 0) + 1
      }
    }
    return { sent, worstLateMicros }
  },

  /**
   * Plays a workshop (cursors, drags, writes) with this process's clients.
   * @param {{atMicros: number, durationMs: number}} args
   */
  workshop (args) {
    return playWorkshop(clients, args)
  },

  /**
   * Connects one more reader, takes the size of the sync step 2 it is sent (the board's
   * encoded size) and closes it.
   * @param {{url: string, board: string}} args
   */
  async boardSize (args) {
    const probe = new BenchClient({ url: args.url, board: args.board, writer: null }, new Tally(), options)
    await probe.connect(30000)
    await probe.close()
    return probe.step2Bytes
  },

  progress () {
    return tally.progress()
  },

  /**
   * Churn: the `count` readers connected longest ago leave (closed by us), and as many new
   * ones join the same boards, each announcing itself with an awareness state as browsers do.
   * @param {{count: number, timeoutMs: number}} args
   */
  async rejoin (args) {
    const leaving = clients.filter((c) => c.spec.writer === null).slice(0, args.count)
    clients = clients.filter((c) => !leaving.includes(c))
    await Promise.all(leaving.map((c) => c.close()))
    const joining = leaving.map((c) => new BenchClient({ ...c.spec, presence: true }, tally, options))
    const results = await Promise.allSettled(joining.map((c) => c.connect(args.timeoutMs)))
    clients.push(...joining.filter((c) => c.synced))
    return {
      left: leaving.length,
      joined: results.filter((r) => r.status === 'fulfilled').length,
      failed: results.filter((r) => r.status === 'rejected').length
    }
  },

  /**
   * A workshop ends: every client of `board` (writers included) leaves.
   * @param {{board: string}} args
   */
  async leave (args) {
    const leaving = clients.filter((c) => c.spec.board === args.board)
    clients = clients.filter((c) => c.spec.board !== args.board)
    await Promise.all(leaving.map((c) => c.close()))
    return { left: leaving.length }
  },

  /** Latency since the last window, and connections the server closed (not us) so far. */
  window () {
    return {
      latency: tally.takeWindow(),
      closedEarly: clients.filter((c) => c.closeCode !== 0 && !c.closedByUs).length
    }
  },

  /**
   * Starts a measurement: clears the tally and the CPU and event-loop marks.
   * @param {{atMicros?: number}} args when the measured writing starts
   */
  mark (args) {
    tally.reset(args.atMicros ?? nowMicros())
    cpuMark = process.cpuUsage()
    loopDelay.disable()
    loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS })
    loopDelay.enable()
    return true
  },

  /** Everything measured since `mark`. */
  collect () {
    const cpu = process.cpuUsage(cpuMark)
    loopDelay.disable()
    const closedEarly = clients.filter((c) => c.closeCode !== 0 && !c.closedByUs)
    /** @type {Record<string, number>} */
    const closeCodes = {}
    for (const c of closedEarly) closeCodes[c.closeCode] = (closeCodes[c.closeCode] ?? 0) + 1
    return {
      tally: tally.toJSON(),
      cpuMicros: cpu.user + cpu.system,
      // how late the loop ran (p99), not the interval it was sampled at
      loopDelayP99Ms: loopDelay.count > 0
        ? Math.max(0, loopDelay.percentile(99) / 1e6 - LOOP_RESOLUTION_MS) : 0,
      closedEarly: closedEarly.length,
      closeCodes
    }
  },

  /** @param {{url: string, board: string, writer: number, notes: number, batch: number}} args */
  async fillNotes (args) {
    const result = await fillNotes(args, tally, options)
    fillers.push(result.client)
    return { ms: result.ms, lastMarker: result.lastMarker }
  },

  /** @param {Parameters<typeof fillUpdates>[0]} args */
  async fillUpdates (args) {
    const result = await fillUpdates(args, tally, options)
    fillers.push(...result.clients)
    return { ms: result.ms, lastMarkers: result.lastMarkers }
  },

  async closeAll () {
    await Promise.all([...clients, ...fillers].map((c) => c.close()))
    clients = []
    fillers = []
    return true
  }
}

process.on('message', async (/** @type {{id: number, op: string, args: any}} */ msg) => {
  try {
    const handler = /** @type {Record<string, (args: any) => any>} */ (handlers)[msg.op]
    if (handler === undefined) throw new Error(`unknown op ${msg.op}`)
    const result = await handler(msg.args ?? {})
    process.send?.({ id: msg.id, result })
  } catch (err) {
    process.send?.({ id: msg.id, error: /** @type {Error} */ (err).stack ?? String(err) })
  }
})
process.on('disconnect', () => process.exit(0))
