// workshop: the load a live workshop makes — cursors, drags and a few writers on one board —
// rather than a stream of document updates. Cases (--cases, default a,b,c):
//   a  90 people on one board: 30 move a cursor at 20 Hz, 5 drag notes (positions in
//      presence at 60 Hz, one write on drop), 10 write one update a second
//   b  300 people over 3 instances on one redis-server (a server without Redis: one process),
//      100 cursors, 10 dragging, 30 writing
//   c  the board's encoded size after case a's load for --size-duration s, with drags written
//      into the document every frame (clients before drags went through presence) and through
//      presence, each extrapolated to 5 minutes
// Printed per case: frames out/s (every frame every client received), server CPU % of one
// core (b: the instances and Redis), cursor latency (the age of each cursor state when it
// reached a client) and update latency p50/p99, updates lost.

import { Histogram } from '../histogram.js'
import { nowMicros } from '../markers.js'
import { deal } from '../pool.js'
import { round, serverCpu } from '../load.js'
import { sleep, withPool, withServer } from '../harness.js'
import { redisUnavailable, startRedis } from '../redis.js'
import { machineBusySeconds } from '../proc.js'

const CONNECT_CONCURRENCY = 50
const CONNECT_TIMEOUT_MS = 30000
/** Case c's board is reported as it would be after this long. */
const SIZE_AFTER_S = 300

/**
 * @typedef {object} Shape
 * @property {string} name
 * @property {number} people
 * @property {number} cursors
 * @property {number} drags
 * @property {number} writers
 * @property {'drag'|'dragdoc'} dragRole
 * @property {number} instances
 * @property {number} duration seconds
 * @property {boolean} [size] measure the board's encoded size after the run
 */

/** @param {Record<string, any>} opts */
function shapes (opts) {
  const d = opts.duration
  const s = opts['size-duration']
  /** @type {Record<string, Shape[]>} */
  const all = {
    a: [{ name: 'a', people: 90, cursors: 30, drags: 5, writers: 10, dragRole: 'drag', instances: 1, duration: d }],
    b: [{ name: 'b', people: 300, cursors: 100, drags: 10, writers: 30, dragRole: 'drag', instances: 3, duration: d }],
    c: [
      { name: 'c-old', people: 90, cursors: 30, drags: 5, writers: 10, dragRole: 'dragdoc', instances: 1, duration: s, size: true },
      { name: 'c-new', people: 90, cursors: 30, drags: 5, writers: 10, dragRole: 'drag', instances: 1, duration: s, size: true }
    ]
  }
  return String(opts.cases).split(',').flatMap((c) => {
    if (!(c in all)) throw new Error(`unknown workshop case ${c}: a, b or c`)
    return all[c]
  })
}

export default {
  name: 'workshop',
  long: true, // three cases, ~4 minutes per server: not part of `all`
  about: 'a live workshop on one board: cursors at 20 Hz, drags, a few writers; ' +
    'frames out/s, server CPU, cursor and update latency (cases a, b, c: see docs/benchmarks.md)',
  columns: [
    ['a_frames_out_per_s', 'a frames/s'],
    ['a_cpu_pct', 'a CPU%'],
    ['a_cursor_p50_ms', 'a cur p50'],
    ['a_cursor_p99_ms', 'a cur p99'],
    ['a_update_p50_ms', 'a upd p50'],
    ['a_update_p99_ms', 'a upd p99'],
    ['b_cpu_pct', 'b CPU%'],
    ['b_cursor_p99_ms', 'b cur p99'],
    ['b_update_p99_ms', 'b upd p99'],
    ['c_old_kb_5min', 'c old KB'],
    ['c_new_kb_5min', 'c new KB'],
    ['missing', 'missing']
  ],
  defaults: { cases: 'a,b,c', duration: 20, 'size-duration': 60, drain: 30 },
  /** @param {import('../servers.js').Adapter} _adapter */
  unsupported (_adapter) { return null },
  run
}

/**
 * Every case of --cases on fresh processes, one line printed each; one row for the table.
 * @param {import('../harness.js').RunContext} ctx
 */
async function run (ctx) {
  console.log('\n     case    people  inst  frames out/s  CPU %  cursor p50/p99 ms  ' +
    'update p50/p99 ms  updates  missing  board KB (5 min)  gen CPU%  other CPU%')
  /** @type {Record<string, any>} */
  const row = { missing: 0, expected: 0, deliveries: 0, connect_failed: 0, closed_early: 0 }
  for (const shape of shapes(ctx.opts)) {
    const r = await playCase(ctx, shape)
    const key = shape.name.replace('-', '_')
    for (const [k, v] of Object.entries(r)) row[`${key}_${k}`] = v
    for (const k of ['missing', 'expected', 'deliveries', 'connect_failed', 'closed_early']) row[k] += r[k]
    row.gen_cpu_pct = Math.max(row.gen_cpu_pct ?? 0, r.gen_cpu_pct)
    row.other_cpu_pct = Math.max(row.other_cpu_pct ?? 0, r.other_cpu_pct)
    console.log(`     ${shape.name.padEnd(6)}  ${String(r.people).padStart(6)}  ${String(r.instances).padStart(4)}  ` +
      `${String(r.frames_out_per_s).padStart(12)}  ${String(r.cpu_pct).padStart(5)}  ` +
      `${`${r.cursor_p50_ms}/${r.cursor_p99_ms}`.padStart(17)}  ` +
      `${`${r.update_p50_ms}/${r.update_p99_ms}`.padStart(17)}  ${String(r.updates_sent).padStart(7)}  ` +
      `${String(r.missing).padStart(7)}  ${String(r.kb_5min ?? '').padStart(16)}  ${String(r.gen_cpu_pct).padStart(8)}  ` +
      `${String(r.other_cpu_pct).padStart(10)}`)
  }
  return row
}

/**
 * One case on a fresh server (and redis-server when spread over instances).
 * @param {import('../harness.js').RunContext} ctx
 * @param {Shape} shape
 * @returns {Promise<Record<string, any>>}
 */
async function playCase (ctx, shape) {
  const spread = shape.instances > 1 && ctx.adapter.multiInstance && redisUnavailable() === null
  const instances = spread ? shape.instances : 1
  const redis = spread ? await startRedis(ctx.serverCore) : null
  try {
    const startOpts = redis === null ? {} : { redisUrl: redis.url, instances }
    return await withServer(ctx, startOpts, (server) => withPool(ctx, async (pool) => {
      const result = await measure(ctx, pool, server, shape, instances, redis)
      return { ...result, instances }
    }))
  } finally {
    await redis?.proc.stop()
  }
}

/**
 * @param {import('../harness.js').RunContext} ctx
 * @param {import('../pool.js').WorkerPool} pool
 * @param {import('../servers.js').Running} server
 * @param {Shape} shape
 * @param {number} instances
 * @param {{proc: import('../proc.js').ServerProcess}|null} redis
 */
async function measure (ctx, pool, server, shape, instances, redis) {
  const board = `bench-${ctx.runId}-${shape.name}`
  /** @type {import('../client.js').ClientSpec[]} */
  const specs = []
  for (let c = 0; c < shape.people; c++) {
    const url = await server.boardUrl(board, c % instances)
    /** @type {import('../client.js').ClientSpec & {mover?: number}} */
    const spec = { url, board, writer: null, role: 'idle' }
    if (c < shape.writers) Object.assign(spec, { writer: c, role: 'writer' })
    else if (c < shape.writers + shape.drags) Object.assign(spec, { writer: c, role: shape.dragRole })
    else if (c < shape.writers + shape.drags + shape.cursors) Object.assign(spec, { mover: c, role: 'cursor' })
    specs.push(spec)
  }
  const shares = deal(specs, pool.size)
  const joined = await pool.all('connect', (i) => ({
    clients: shares[i], concurrency: CONNECT_CONCURRENCY, timeoutMs: CONNECT_TIMEOUT_MS
  }))
  const synced = joined.reduce((n, j) => n + j.synced, 0)
  /** @type {Record<string, number>} */
  const connectErrors = {}
  for (const j of joined) {
    for (const [e, n] of Object.entries(j.errors)) connectErrors[e] = (connectErrors[e] ?? 0) + Number(n)
  }
  await sleep(500)
  const atMicros = nowMicros() + 300000
  await pool.all('mark', () => ({ atMicros }))
  const cpu = () => serverCpu(server) + (redis?.proc.cpuSeconds() ?? 0)
  const genMark = process.cpuUsage()
  const cpu0 = cpu()
  const busy0 = machineBusySeconds()
  const played = await pool.all('workshop', () => ({ atMicros, durationMs: shape.duration * 1000 }))
  const genPlaySeconds = played.reduce((n, p) => n + p.cpuMicros, 0) / 1e6
  const playEnd = nowMicros()
  const cpu1 = cpu()
  const busy1 = machineBusySeconds()
  let sent = 0
  for (const p of played) sent += Object.values(p.sent).reduce((n, v) => n + Number(v), 0)
  const expected = sent * synced
  const drainUntil = Date.now() + ctx.opts.drain * 1000
  let unique = 0
  while (Date.now() < drainUntil) {
    unique = (await pool.all('progress')).reduce((n, p) => n + p.unique, 0)
    if (unique >= expected) break
    await sleep(100)
  }
  const collected = await pool.all('collect')
  const genCpu = process.cpuUsage(genMark)
  const playSeconds = (playEnd - atMicros) / 1e6
  const cursors = new Histogram()
  const updates = new Histogram()
  for (const c of collected) {
    cursors.merge(c.tally.cursors)
    updates.merge(c.tally.latency)
  }
  const frames = collected.reduce((n, c) => n + c.tally.frames, 0)
  const genSeconds = (collected.reduce((n, c) => n + c.cpuMicros, 0) + genCpu.user + genCpu.system) / 1e6
  const counts = played.reduce((n, p) => ({
    cursor: n.cursor + p.counts.cursor, drag: n.drag + p.counts.drag
  }), { cursor: 0, drag: 0 })
  /** @type {Record<string, any>} */
  const result = {
    people: shape.people,
    synced,
    connect_failed: shape.people - synced,
    connect_errors: connectErrors,
    cursor_moves_sent: counts.cursor,
    drag_frames_sent: counts.drag,
    updates_sent: sent,
    expected,
    deliveries: unique,
    missing: Math.max(0, expected - unique),
    frames_out_per_s: Math.round(frames / ((nowMicros() - atMicros) / 1e6)),
    cpu_pct: round(100 * (cpu1 - cpu0) / playSeconds, 1),
    cursor_p50_ms: ms(cursors.quantile(0.5)),
    cursor_p99_ms: ms(cursors.quantile(0.99)),
    cursor_states_seen: cursors.count,
    update_p50_ms: ms(updates.quantile(0.5)),
    update_p99_ms: ms(updates.quantile(0.99)),
    gen_cpu_pct: round(100 * genSeconds / playSeconds, 0),
    // everything else the machine ran meanwhile (others' tests): above ~15 % the latencies
    // are the machine's as much as the server's
    other_cpu_pct: round(100 * Math.max(0, busy1 - busy0 - (cpu1 - cpu0) - genPlaySeconds) / playSeconds, 0),
    closed_early: collected.reduce((n, c) => n + c.closedEarly, 0)
  }
  if (shape.size) {
    try {
      const bytes = await pool.call(0, 'boardSize', { url: await server.boardUrl(board, 0), board })
      result.board_kb = round(bytes / 1024, 1)
      // the board starts empty: its growth over the run, extrapolated linearly
      result.kb_5min = round(bytes * SIZE_AFTER_S / shape.duration / 1024, 1)
    } catch (err) {
      // a server still far behind may not answer one more joiner in time: say so, go on
      result.size_error = /** @type {Error} */ (err).message.split('\n')[0]
    }
  }
  return result
}

/** @param {number|null} micros */
function ms (micros) {
  return micros === null ? null : round(micros / 1000, 1)
}
