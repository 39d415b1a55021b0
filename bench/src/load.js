// The shared load run behind `fanout`, `rooms` and `crossinstance`: clients join boards, writers
// send at a fixed rate, every delivery to every client on the board is counted and timed.
//
// Delivery: one writer's update reaching one client of its board, the writer itself included
// (servers echo updates to their sender, as stock clients expect). Expected deliveries are
// updates sent × clients synced on the board; `missing` and `duplicates` compare against that.

import { Histogram } from './histogram.js'
import { nowMicros } from './markers.js'
import { WorkerPool, deal } from './pool.js'
import { machineBusySeconds } from './proc.js'

const CONNECT_CONCURRENCY = 50
const CONNECT_TIMEOUT_MS = 30000
const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * @typedef {object} LoadPlan
 * @property {number} boards
 * @property {number} clients per board
 * @property {number} writers per board (the first clients of each board)
 * @property {number} rate updates per second per writer
 * @property {number} duration seconds of writing
 * @property {number} drain seconds to wait at most for late deliveries
 * @property {number} instances server instances the clients are spread over
 */

/**
 * Figures a scenario takes over the same window as the load's own, and processes besides
 * the server that the load keeps busy (crossinstance: Redis): their CPU is `helper_cpu_s`,
 * not noise of the machine.
 * @typedef {object} WindowProbe
 * @property {() => Promise<void>} start called when the clients are synced, just before the
 *   writing starts (it may take a moment of its own, e.g. to measure a quiet baseline)
 * @property {(updates: number) => Record<string, any>} end called when the drain ends, with
 *   the updates sent; its figures join the result
 * @property {() => number} cpuSeconds CPU seconds so far of the helper processes
 */

/**
 * @param {import('./servers.js').Running} server
 * @param {LoadPlan} plan
 * @param {{workers: number, cores: number[]|null, deflate: boolean}} gen
 * @param {string} runId unique per run, keeps board names apart
 * @param {WindowProbe} [probe]
 */
export async function runLoad (server, plan, gen, runId, probe) {
  /** @type {import('./client.js').ClientSpec[]} */
  const specs = []
  for (let b = 0; b < plan.boards; b++) {
    const board = `bench-${runId}-${b}`
    for (let c = 0; c < plan.clients; c++) {
      const url = await server.boardUrl(board, c % plan.instances)
      const writer = c < plan.writers ? b * plan.writers + c : null
      specs.push({ url, board, writer })
    }
  }
  const pool = new WorkerPool(gen.workers, gen)
  await pool.start()
  try {
    return await measure(pool, server, plan, specs, probe)
  } finally {
    await pool.stop()
  }
}

/**
 * @param {WorkerPool} pool
 * @param {import('./servers.js').Running} server
 * @param {LoadPlan} plan
 * @param {import('./client.js').ClientSpec[]} specs
 * @param {WindowProbe} [probe]
 */
async function measure (pool, server, plan, specs, probe) {
  const shares = deal(specs, pool.size)
  const joined = await pool.all('connect', (i) => ({
    clients: shares[i], concurrency: CONNECT_CONCURRENCY, timeoutMs: CONNECT_TIMEOUT_MS
  }))
  /** @type {Record<string, number>} */
  const syncedByBoard = {}
  /** @type {Record<string, number>} */
  const connectErrors = {}
  for (const j of joined) {
    for (const [b, n] of Object.entries(j.syncedByBoard)) syncedByBoard[b] = (syncedByBoard[b] ?? 0) + n
    for (const [e, n] of Object.entries(j.errors)) connectErrors[e] = (connectErrors[e] ?? 0) + n
  }
  const connectFailed = joined.reduce((n, j) => n + j.failed, 0)
  const deflated = joined.reduce((n, j) => n + j.deflated, 0)

  await sleep(500)
  await probe?.start()
  const startMicros = nowMicros() + 200000
  await pool.all('mark', () => ({ atMicros: startMicros }))
  const cpu0 = serverCpu(server)
  const helper0 = probe?.cpuSeconds() ?? 0
  const busy0 = machineBusySeconds()
  const genCpuMark = process.cpuUsage()
  const written = await pool.all('write', () => ({
    atMicros: startMicros,
    rate: plan.rate,
    durationMs: plan.duration * 1000,
    totalWriters: plan.boards * plan.writers
  }))
  const sendEndMicros = nowMicros()
  let expected = 0
  let sent = 0
  for (const w of written) {
    for (const [board, n] of Object.entries(w.sent)) {
      sent += n
      expected += n * (syncedByBoard[board] ?? 0)
    }
  }

  const drainDeadline = Date.now() + plan.drain * 1000
  let progress = await totalProgress(pool)
  while (progress.unique < expected && Date.now() < drainDeadline) {
    await sleep(100)
    progress = await totalProgress(pool)
  }
  const endMicros = nowMicros()
  const cpu1 = serverCpu(server)
  const helperCpuSeconds = (probe?.cpuSeconds() ?? 0) - helper0
  const busy1 = machineBusySeconds()
  const probed = probe?.end(sent) ?? {}
  const collected = await pool.all('collect')
  const genCpu = process.cpuUsage(genCpuMark)

  const latency = new Histogram()
  for (const c of collected) latency.merge(c.tally.latency)
  const unique = collected.reduce((n, c) => n + c.tally.unique, 0)
  const duplicates = collected.reduce((n, c) => n + c.tally.duplicates, 0)
  const lastDelivery = Math.max(...collected.map((c) => c.tally.lastDeliveryMicros))
  const windowSeconds = (endMicros - startMicros) / 1e6
  // writing lasts `duration`; a server that falls behind stretches it to its last delivery
  const deliverySeconds = Math.max(plan.duration, (lastDelivery - startMicros) / 1e6)
  const genCpuSeconds = (collected.reduce((n, c) => n + c.cpuMicros, 0) +
    genCpu.user + genCpu.system) / 1e6
  /** @type {Record<string, number>} */
  const closeCodes = {}
  for (const c of collected) {
    for (const [code, n] of Object.entries(c.closeCodes)) closeCodes[code] = (closeCodes[code] ?? 0) + n
  }
  const serverCpuSeconds = cpu1 - cpu0
  const otherCpuSeconds = Math.max(0,
    busy1 - busy0 - serverCpuSeconds - helperCpuSeconds - genCpuSeconds)
  return {
    clients: specs.length,
    synced: specs.length - connectFailed,
    connect_failed: connectFailed,
    connect_errors: connectErrors,
    deflate_negotiated: deflated,
    updates_sent: sent,
    send_seconds: round((sendEndMicros - startMicros) / 1e6, 2),
    expected,
    deliveries: unique,
    missing: expected - unique,
    duplicates,
    deliveries_per_s: round(unique / deliverySeconds, 0),
    offered_per_s: round(expected / plan.duration, 0),
    catch_up_s: round(Math.max(0, (lastDelivery - sendEndMicros) / 1e6), 2),
    p50_ms: ms(latency.quantile(0.5)),
    p99_ms: ms(latency.quantile(0.99)),
    max_ms: ms(latency.count ? latency.max : null),
    server_cpu_s: round(serverCpuSeconds, 2),
    server_cpu_us_per_delivery: unique > 0 ? round(serverCpuSeconds * 1e6 / unique, 1) : null,
    server_cpu_pct: round(100 * serverCpuSeconds / windowSeconds, 0),
    gen_cpu_s: round(genCpuSeconds, 2),
    gen_cpu_pct: round(100 * genCpuSeconds / windowSeconds, 0),
    gen_cpu_us_per_delivery: unique > 0 ? round(genCpuSeconds * 1e6 / unique, 1) : null,
    other_cpu_pct: round(100 * otherCpuSeconds / windowSeconds, 0),
    ...(probe === undefined ? {} : { helper_cpu_s: round(helperCpuSeconds, 2) }),
    gen_loop_delay_p99_ms: round(Math.max(...collected.map((c) => c.loopDelayP99Ms)), 1),
    closed_early: collected.reduce((n, c) => n + c.closedEarly, 0),
    close_codes: closeCodes,
    frames_received: collected.reduce((n, c) => n + c.tally.frames, 0),
    worst_ms_each_s: worstBySecond(collected),
    ...probed
  }
}

/**
 * Worst latency of the deliveries received in each second of the run, in ms, all workers.
 * @param {{tally: {worstBySecond: number[]}}[]} collected
 */
function worstBySecond (collected) {
  const len = Math.max(...collected.map((c) => c.tally.worstBySecond.length))
  return Array.from({ length: len }, (_, s) =>
    Math.round(Math.max(...collected.map((c) => c.tally.worstBySecond[s] ?? 0)) / 1000))
}

/** @param {WorkerPool} pool */
async function totalProgress (pool) {
  const all = await pool.all('progress')
  return { unique: all.reduce((n, p) => n + p.unique, 0) }
}

/** @param {import('./servers.js').Running} server */
export function serverCpu (server) {
  return server.processes.reduce((s, p) => s + p.cpuSeconds(), 0)
}

/**
 * @param {number|null} micros
 * @returns {number|null}
 */
function ms (micros) {
  return micros === null ? null : round(micros / 1000, micros < 10000 ? 2 : 1)
}

/**
 * @param {number} x
 * @param {number} digits
 */
export function round (x, digits) {
  const f = 10 ** digits
  return Math.round(x * f) / f
}
