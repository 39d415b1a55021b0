// coldload: a board with a long update log, then a server restart: how long until the first
// client is synced again, and is the document whole?

import { execFileSync } from 'node:child_process'
import { round, serverCpu } from '../load.js'
import { sleep, withPool, withServer } from '../harness.js'

/** Servers limit what one connection may send (Paja: 200 messages/s), so the log is written by
 * many connections at a modest pace each, as a busy workshop would. */
const FILL_CONNECTIONS = 50
const FILL_RATE = 150
const FILL_WINDOW = 64

export default {
  name: 'coldload',
  about: 'a board with U logged updates; SIGTERM, restart on the same data: time to first sync',
  columns: [
    ['fill_updates_per_s', 'fill upd/s'],
    ['data_mb', 'data MB'],
    ['stop_ms', 'stop ms'],
    ['ready_ms', 'ready ms'],
    ['first_sync_ms', 'first sync ms'],
    ['restart_to_sync_ms', 'restart→sync ms'],
    ['step2_kb_before', 'doc KB before'],
    ['step2_kb', 'doc KB after'],
    ['complete', 'complete'],
    ['peak_rss_mb', 'peak MB']
  ],
  defaults: { updates: 100000 },
  /** @param {import('../servers.js').Adapter} adapter */
  unsupported (adapter) {
    return adapter.persistent ? null : 'n/a: no persistence'
  },
  /** @param {import('../harness.js').RunContext} ctx */
  run (ctx) {
    const { updates } = ctx.opts
    return withServer(ctx, {}, async (server) => {
      const board = `bench-${ctx.runId}-coldload`
      const url = await server.boardUrl(board)
      const { fill, before } = await withPool(ctx, async (pool) => {
        const fill = await pool.call(0, 'fillUpdates', {
          url, board, count: updates, connections: FILL_CONNECTIONS, rate: FILL_RATE,
          window: FILL_WINDOW
        })
        const before = await pool.call(0, 'connect', {
          clients: [{ url, board, writer: null }], concurrency: 1, timeoutMs: 120000,
          expect: fill.lastMarkers
        })
        return { fill, before }
      })
      await sleep(1000)
      const dataKb = server.dataDir ? Number(execFileSync('du', ['-sk', server.dataDir])
        .toString().split('\t')[0]) : null
      const restart = await /** @type {NonNullable<typeof server.restart>} */ (server.restart)()
      const cpu0 = serverCpu(server)
      const joined = await withPool(ctx, (pool) => pool.call(0, 'connect', {
        clients: [{ url, board, writer: null }], concurrency: 1, timeoutMs: 120000,
        expect: fill.lastMarkers
      }))
      const synced = joined.synced === 1
      return {
        updates,
        fill_s: round(fill.ms / 1000, 1),
        fill_updates_per_s: round(updates / (fill.ms / 1000), 0),
        data_mb: dataKb === null ? null : round(dataKb / 1024, 1),
        stop_ms: restart.stopMs,
        exit_code: Math.max(...restart.exitCodes),
        ready_ms: restart.readyMs,
        first_sync_ms: synced ? round((joined.syncedMicros[0] - joined.connectMicros[0]) / 1000, 1)
          : null,
        restart_to_sync_ms: synced
          ? round(restart.readyMs + (joined.syncedMicros[0] - joined.connectMicros[0]) / 1000, 0)
          : null,
        complete: synced && joined.complete === 1,
        step2_kb_before: before.synced ? round(before.step2Bytes[0] / 1024, 1) : null,
        step2_kb: synced ? round(joined.step2Bytes[0] / 1024, 1) : null,
        first_sync_cpu_s: round(serverCpu(server) - cpu0, 2),
        errors: joined.errors
      }
    })
  }
}
