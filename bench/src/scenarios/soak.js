// soak: a few rooms for a long time (default 10 minutes), with people joining and leaving and
// workshops ending and starting; one row per minute of server memory, latency and CPU, to see
// whether anything creeps up.
//
// The load is a steady state: at any moment the same number of boards, each with the same
// people, and boards no older than --board-minutes. A rising line is then something the server
// keeps that it should not. A board's own history (every move leaves a tombstone in the CRDT)
// is data the server must keep while the board is open; `--board-minutes` at least the
// duration keeps every board for the whole run and shows that growth instead.

import { Histogram } from '../histogram.js'
import { nowMicros } from '../markers.js'
import { deal } from '../pool.js'
import { round, serverCpu } from '../load.js'
import { sleep, withPool, withServer } from '../harness.js'

const MINUTE_MS = 60000
const CHURN_EVERY_MS = 10000
const CONNECT_TIMEOUT_MS = 30000

export default {
  name: 'soak',
  about: 'K boards × M clients for D s (default 600), W writers per board at R/s, C readers ' +
    'per board leaving and C joining every 10 s, each board replaced by a new one every L ' +
    'minutes: RSS, p50/p99 and CPU per minute',
  long: true, // not part of `all`
  columns: [
    ['minutes', 'minutes'],
    ['rss_first_mb', 'RSS min 1 MB'],
    ['rss_last_mb', 'RSS last MB'],
    ['rss_growth_pct', 'RSS growth %'],
    ['p99_first_ms', 'p99 min 1 ms'],
    ['p99_last_ms', 'p99 last ms'],
    ['p99_worst_ms', 'p99 worst ms'],
    ['joins', 'joins'],
    ['boards_replaced', 'replaced'],
    ['connect_failed', 'failed'],
    ['closed_early', 'closed']
  ],
  defaults: {
    boards: 4, clients: 25, writers: 3, rate: 2, duration: 600, churn: 2, 'board-minutes': 4
  },
  /** @param {import('../servers.js').Adapter} _adapter */
  unsupported (_adapter) { return null },
  /** @param {import('../harness.js').RunContext} ctx */
  run (ctx) {
    return withServer(ctx, {}, (server) => withPool(ctx, (pool) => soak(ctx, server, pool)))
  }
}

/**
 * @param {import('../harness.js').RunContext} ctx
 * @param {import('../servers.js').Running} server
 * @param {import('../pool.js').WorkerPool} pool
 */
async function soak (ctx, server, pool) {
  const { boards, clients, writers, rate, duration, churn } = ctx.opts
  const boardMinutes = ctx.opts['board-minutes']
  if (churn > clients - writers) throw new Error('--churn must leave the writers in place')
  let connectFailed = 0
  /** Opens board `b` of generation `generation` with all its people; its key. */
  const open = async (/** @type {number} */ b, /** @type {number} */ generation) => {
    const board = `bench-${ctx.runId}-${b}-${generation}`
    const url = await server.boardUrl(board)
    /** @type {import('../client.js').ClientSpec[]} */
    const specs = []
    for (let c = 0; c < clients; c++) {
      specs.push({ url, board, writer: c < writers ? b * writers + c : null })
    }
    const shares = deal(specs, pool.size)
    const joined = await pool.all('connect', (i) => ({
      clients: shares[i], concurrency: 50, timeoutMs: CONNECT_TIMEOUT_MS
    }))
    connectFailed += joined.reduce((n, j) => n + j.failed, 0)
    return board
  }
  /** @type {string[]} the key of each board's current workshop */
  const current = []
  for (let b = 0; b < boards; b++) current.push(await open(b, 0))
  const generations = current.map(() => 0)
  // Staggered, so that one board at a time ends and the boards' ages stay spread.
  const endsAt = current.map((_, b) => (b + 1) * boardMinutes / boards)
  let replaced = 0
  // Churners per worker: each takes its share of `churn × boards` every 10 s.
  const churners = deal(Array.from({ length: churn * boards }, () => 1), pool.size)
    .map((share) => share.length)

  const minutes = Math.max(1, Math.round(duration / 60))
  const totalWriters = boards * writers
  const perWriterPerMinute = Math.round(rate * MINUTE_MS / 1000)
  /** @type {Record<string, any>[]} */
  const rows = []
  let joins = 0
  let closedEarly = 0
  await pool.all('window') // start the first window empty
  console.log('\n   minute  RSS MB  p50 ms  p99 ms  deliveries  joins  srv CPU%  replaced')
  for (let m = 0; m < minutes; m++) {
    const cpu0 = serverCpu(server)
    const startMicros = nowMicros() + 100000
    const writing = pool.all('write', () => ({
      atMicros: startMicros,
      rate,
      durationMs: MINUTE_MS,
      totalWriters,
      firstSeq: m * perWriterPerMinute
    }))
    let minuteJoins = 0
    const churnUntil = Date.now() + MINUTE_MS - CHURN_EVERY_MS / 2
    while (Date.now() < churnUntil) {
      await sleep(CHURN_EVERY_MS)
      const done = await Promise.all(churners.map((count, i) =>
        count ? pool.call(i, 'rejoin', { count, timeoutMs: CONNECT_TIMEOUT_MS }) : null))
      for (const d of done) {
        if (d === null) continue
        minuteJoins += d.joined
        connectFailed += d.failed
      }
    }
    await writing
    const windows = await pool.all('window')
    const latency = new Histogram()
    for (const w of windows) latency.merge(w.latency)
    closedEarly = windows.reduce((n, w) => n + w.closedEarly, 0)
    joins += minuteJoins
    const seconds = (nowMicros() - startMicros) / 1e6
    const row = {
      minute: m + 1,
      rss_mb: round(server.processes.reduce((n, p) => n + p.memory().rssKb, 0) / 1024, 1),
      p50_ms: ms(latency.quantile(0.5)),
      p99_ms: ms(latency.quantile(0.99)),
      deliveries: latency.count,
      joins: minuteJoins,
      replaced: 0,
      server_cpu_pct: round(100 * (serverCpu(server) - cpu0) / seconds, 0)
    }
    if (m + 1 < minutes) {
      for (let b = 0; b < boards; b++) {
        while (endsAt[b] <= m + 1 + 1e-9) {
          await pool.all('leave', () => ({ board: current[b] }))
          current[b] = await open(b, ++generations[b])
          endsAt[b] += boardMinutes
          row.replaced++
        }
      }
      replaced += row.replaced
    }
    rows.push(row)
    console.log(`   ${String(row.minute).padStart(6)}  ${String(row.rss_mb).padStart(6)}  ` +
      `${String(row.p50_ms).padStart(6)}  ${String(row.p99_ms).padStart(6)}  ` +
      `${String(row.deliveries).padStart(10)}  ${String(row.joins).padStart(5)}  ` +
      `${String(row.server_cpu_pct).padStart(8)}  ${String(row.replaced).padStart(8)}`)
  }
  const first = rows[0]
  const last = rows[rows.length - 1]
  const p99s = rows.map((r) => r.p99_ms ?? 0)
  return {
    clients: boards * clients,
    minutes,
    rss_first_mb: first.rss_mb,
    rss_last_mb: last.rss_mb,
    rss_growth_pct: round(100 * (last.rss_mb - first.rss_mb) / first.rss_mb, 1),
    p99_first_ms: first.p99_ms,
    p99_last_ms: last.p99_ms,
    p99_worst_ms: Math.max(...p99s),
    joins,
    boards_replaced: replaced,
    connect_failed: connectFailed,
    closed_early: closedEarly,
    per_minute: rows
  }
}

/** @param {number|null} micros */
function ms (micros) {
  return micros === null ? null : round(micros / 1000, 2)
}
