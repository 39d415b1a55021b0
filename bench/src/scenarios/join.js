// join: C clients connect at the same moment to a board already holding many notes.

import { deal } from '../pool.js'
import { nowMicros } from '../markers.js'
import { round, serverCpu } from '../load.js'
import { sleep, withPool, withServer } from '../harness.js'

const FILL_BATCH = 50
const JOIN_TIMEOUT_MS = 60000

export default {
  name: 'join',
  about: 'C clients connect at once to a board pre-filled with N notes: time until all synced',
  columns: [
    ['all_synced_ms', 'all synced ms'],
    ['p50_sync_ms', 'p50 ms'],
    ['p99_sync_ms', 'p99 ms'],
    ['step2_kb', 'doc KB'],
    ['server_cpu_ms_per_join', 'srv CPU ms/join'],
    ['failed', 'failed'],
    ['incomplete', 'incomplete'],
    ['peak_rss_mb', 'peak MB']
  ],
  defaults: { clients: 200, notes: 2000 },
  /** @param {import('../servers.js').Adapter} _adapter */
  unsupported (_adapter) { return null },
  /** @param {import('../harness.js').RunContext} ctx */
  run (ctx) {
    const { clients, notes } = ctx.opts
    return withServer(ctx, {}, (server) => withPool(ctx, async (pool) => {
      const board = `bench-${ctx.runId}-join`
      const url = await server.boardUrl(board)
      const fill = await pool.call(0, 'fillNotes', { url, board, writer: 0, notes, batch: FILL_BATCH })
      const specs = Array.from({ length: clients }, () => ({ url, board, writer: null }))
      await sleep(500)
      await pool.all('mark')
      const cpu0 = serverCpu(server)
      const atMicros = nowMicros() + 300000
      const shares = deal(specs, pool.size)
      const joined = await pool.all('connect', (i) => ({
        clients: shares[i],
        concurrency: shares[i].length,
        timeoutMs: JOIN_TIMEOUT_MS,
        atMicros,
        expect: [fill.lastMarker]
      }))
      const cpu = serverCpu(server) - cpu0
      const genCpu = (await pool.all('collect')).reduce((n, c) => n + c.cpuMicros, 0) / 1e6
      const times = joined.flatMap((j) => j.syncedMicros.map((t) => (t - atMicros) / 1000))
        .sort((a, b) => a - b)
      const synced = times.length
      const complete = joined.reduce((n, j) => n + j.complete, 0)
      const step2 = joined.flatMap((j) => j.step2Bytes)
      /** @type {Record<string, number>} */
      const errors = {}
      for (const j of joined) {
        for (const [e, n] of Object.entries(j.errors)) errors[e] = (errors[e] ?? 0) + n
      }
      return {
        clients,
        notes,
        fill_s: round(fill.ms / 1000, 2),
        synced,
        failed: clients - synced,
        incomplete: synced - complete,
        connect_errors: errors,
        all_synced_ms: synced ? round(times[synced - 1], 1) : null,
        p50_sync_ms: synced ? round(times[Math.floor((synced - 1) / 2)], 1) : null,
        p99_sync_ms: synced ? round(times[Math.ceil(0.99 * synced) - 1], 1) : null,
        step2_kb: step2.length ? round(step2[0] / 1024, 1) : null,
        server_cpu_s: round(cpu, 2),
        server_cpu_ms_per_join: synced ? round(cpu * 1000 / synced, 2) : null,
        gen_cpu_s: round(genCpu, 2)
      }
    }))
  }
}
