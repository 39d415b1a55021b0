// idle: memory per idle connection, and what idle connections cost in CPU.

import { round, serverCpu } from '../load.js'
import { sleep, withPool, withServer } from '../harness.js'
import { deal } from '../pool.js'

const SETTLE_MS = 2000
const IDLE_WINDOW_MS = 5000

export default {
  name: 'idle',
  about: 'N synced, silent connections on one board: RSS delta per connection, idle CPU',
  columns: [
    ['synced', 'connections'],
    ['rss_before_mb', 'RSS before MB'],
    ['rss_after_mb', 'RSS after MB'],
    ['kb_per_connection', 'KB/conn'],
    ['idle_cpu_pct', 'idle CPU%'],
    ['failed', 'failed']
  ],
  defaults: { clients: 1000 },
  /** @param {import('../servers.js').Adapter} _adapter */
  unsupported (_adapter) { return null },
  /** @param {import('../harness.js').RunContext} ctx */
  run (ctx) {
    const { clients } = ctx.opts
    return withServer(ctx, {}, (server) => withPool(ctx, async (pool) => {
      const board = `bench-${ctx.runId}-idle`
      const url = await server.boardUrl(board)
      await pool.call(0, 'connect', {
        clients: [{ url, board, writer: null }], concurrency: 1, timeoutMs: 30000
      })
      await sleep(SETTLE_MS)
      const before = rssKb(server)
      const shares = deal(Array.from({ length: clients }, () => ({ url, board, writer: null })),
        pool.size)
      const joined = await pool.all('connect', (i) => ({
        clients: shares[i], concurrency: 50, timeoutMs: 30000
      }))
      const synced = joined.reduce((n, j) => n + j.synced, 0)
      /** @type {Record<string, number>} */
      const errors = {}
      for (const j of joined) {
        for (const [e, n] of Object.entries(j.errors)) errors[e] = (errors[e] ?? 0) + n
      }
      await sleep(SETTLE_MS)
      const after = rssKb(server)
      const cpu0 = serverCpu(server)
      await sleep(IDLE_WINDOW_MS)
      const idleCpu = serverCpu(server) - cpu0
      return {
        clients,
        synced,
        failed: clients - synced,
        connect_errors: errors,
        rss_before_mb: round(before / 1024, 1),
        rss_after_mb: round(after / 1024, 1),
        kb_per_connection: synced ? round((after - before) / synced, 1) : null,
        idle_cpu_pct: round(100 * idleCpu / (IDLE_WINDOW_MS / 1000), 1)
      }
    }))
  }
}

/** @param {import('../servers.js').Running} server */
function rssKb (server) {
  return server.processes.reduce((n, p) => n + p.memory().rssKb, 0)
}
