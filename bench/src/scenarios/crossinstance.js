// crossinstance: Paja only — the same load on one instance and on I instances sharing one
// Redis, in the same run, side by side: what spreading a board over instances costs in
// latency, in CPU and in Redis commands per update.
//
// Three configurations, each on fresh processes: one embedded instance (what a deployment
// without Redis runs: the baseline of the targets), one instance on Redis (the store and the
// bus, with no peer: separates their cost from the cross-instance fan-out's), and I instances
// on Redis with the clients and writers dealt round-robin over them.

import { round, runLoad } from '../load.js'
import { cell } from '../report.js'
import { sleep, withServer } from '../harness.js'
import { commandCalls, redisUnavailable, startRedis } from '../redis.js'

/** Quiet time before the writing, to learn the commands an idle deployment sends per second
 * (heartbeats), which are then taken off the window's counts. */
const BASELINE_MS = 2000

/** The targets of docs/benchmarks.md, against the one embedded instance. */
const TARGET = { p50DeltaMs: 2, cpuRatio: 1.3, publishPerUpdate: 1 }
/** What taking the heartbeats' rate off leaves as error on PUBLISHes per update: a heartbeat
 * or two per instance over a few hundred updates. A state-vector round trip per change would
 * be two or more. */
const PUBLISH_SLACK = 0.05

/** Summed over the three configurations, so the row's problems cover all of them. */
const SUMMED = ['expected', 'deliveries', 'missing', 'duplicates', 'connect_failed', 'closed_early']

export default {
  name: 'crossinstance',
  about: 'one board, the same load on 1 embedded Paja instance, 1 on Redis and I on one Redis: ' +
    'latency, total CPU and Redis commands per update side by side',
  columns: [
    ['instances', 'instances'],
    ['p50_ms', 'p50 ms'],
    ['single_p50_ms', '1-inst p50'],
    ['p99_ms', 'p99 ms'],
    ['single_p99_ms', '1-inst p99'],
    ['total_cpu_us_per_delivery', 'total µs/deliv'],
    ['single_cpu_us_per_delivery', '1-inst µs/deliv'],
    ['cpu_ratio', 'CPU ×1-inst'],
    ['publish_per_update', 'PUBLISH/upd'],
    ['other_commands_per_update', 'other cmds/upd'],
    ['missing', 'missing'],
    ['duplicates', 'dups'],
    ['gen_cpu_pct', 'gen CPU%']
  ],
  defaults: { instances: 2, clients: 500, writers: 20, rate: 2, duration: 10, drain: 30 },
  /** @param {import('../servers.js').Adapter} adapter */
  unsupported (adapter) {
    if (!adapter.multiInstance) return 'n/a: single instance server'
    return redisUnavailable()
  },
  run: compare,
  summarize
}

/**
 * @param {import('../harness.js').RunContext} ctx
 * @returns {Promise<Record<string, any>>}
 */
async function compare (ctx) {
  const { instances } = ctx.opts
  console.log('\n     configuration          deliv/s  p50 ms  p99 ms  max ms  missing  dups  ' +
    'Paja CPU s  Redis CPU s  total µs/deliv  PUBLISH/upd  other cmds/upd  gen CPU%')
  const single = await configuration(ctx, 1, false)
  /** @type {Record<string, any>} */
  let oneOnRedis
  try {
    oneOnRedis = await configuration(ctx, 1, true)
  } catch (err) {
    return { skipped: `Paja did not run with --redis-url: ${/** @type {Error} */ (err).message}` }
  }
  const spread = await configuration(ctx, instances, true)
  const all = [single, oneOnRedis, spread]
  /** @type {Record<string, any>} */
  const sums = Object.fromEntries(SUMMED.map((k) => [k, all.reduce((n, r) => n + (r[k] ?? 0), 0)]))
  return {
    ...spread,
    ...sums,
    single_p50_ms: single.p50_ms,
    single_p99_ms: single.p99_ms,
    single_cpu_us_per_delivery: single.total_cpu_us_per_delivery,
    cpu_ratio: ratio(spread.total_cpu_us_per_delivery, single.total_cpu_us_per_delivery),
    paja_cpu_ratio: ratio(spread.server_cpu_us_per_delivery, single.server_cpu_us_per_delivery),
    one_on_redis_cpu_us_per_delivery: oneOnRedis.total_cpu_us_per_delivery,
    configurations: all,
    // the worst configuration's, so the row warns when any of them was doubtful
    other_cpu_pct: Math.max(...all.map((r) => r.other_cpu_pct)),
    gen_cpu_pct: Math.max(...all.map((r) => r.gen_cpu_pct))
  }
}

/**
 * One configuration on fresh processes (and a fresh redis-server): the load, and its line.
 * @param {import('../harness.js').RunContext} ctx
 * @param {number} instances
 * @param {boolean} redis
 * @returns {Promise<Record<string, any>>}
 */
async function configuration (ctx, instances, redis) {
  const { clients, writers, rate, duration, drain } = ctx.opts
  const plan = { boards: 1, clients, writers, rate, duration, drain, instances }
  const runId = `${ctx.runId}-${instances}${redis ? 'r' : 'e'}`
  const name = redis ? `${instances} instance${instances > 1 ? 's' : ''} on Redis` : '1 instance, embedded'
  /** @type {Record<string, any>} */
  let result
  if (redis) {
    const server = await startRedis(ctx.serverCore)
    try {
      result = await withServer(ctx, { redisUrl: server.url, instances }, (paja) =>
        runLoad(paja, plan, ctx.gen, runId, redisProbe(server)))
    } finally {
      await server.proc.stop()
    }
  } else {
    result = await withServer(ctx, {}, (paja) => runLoad(paja, plan, ctx.gen, runId))
  }
  const redisCpu = result.helper_cpu_s ?? 0
  const total = result.server_cpu_s + redisCpu
  result = {
    configuration: name,
    instances,
    ...result,
    redis_cpu_s: redis ? redisCpu : null,
    total_cpu_s: round(total, 2),
    total_cpu_us_per_delivery: result.deliveries > 0 ? round(total * 1e6 / result.deliveries, 1) : null
  }
  console.log(`     ${name.padEnd(21)}  ${cell(result.deliveries_per_s, 7)}  ${cell(result.p50_ms, 6)}  ` +
    `${cell(result.p99_ms, 6)}  ${cell(result.max_ms, 6)}  ${cell(result.missing, 7)}  ` +
    `${cell(result.duplicates, 4)}  ${cell(result.server_cpu_s, 10)}  ${cell(result.redis_cpu_s, 11)}  ` +
    `${cell(result.total_cpu_us_per_delivery, 14)}  ${cell(result.publish_per_update, 11)}  ` +
    `${cell(result.other_commands_per_update, 14)}  ${cell(result.gen_cpu_pct, 8)}`)
  if (redis) {
    console.log(`     ${''.padEnd(21)}  Redis commands per update: ${result.redis_commands_per_update}` +
      ` (idle background ${result.redis_background_per_s}/s, taken off)`)
  }
  return result
}

/**
 * Counts the Redis commands of the measured window per update sent. Heartbeats go on
 * whether anyone writes or not, so their rate is measured in a quiet moment first and
 * taken off: what remains is what the updates cost. A state-vector round trip per change
 * would show as two or more PUBLISHes per update (request and answer) and reads of the log.
 * @param {{port: number, proc: import('../proc.js').ServerProcess}} redis
 * @returns {import('../load.js').WindowProbe}
 */
function redisProbe (redis) {
  /** @type {Record<string, number>} */
  let background = {}
  /** @type {Record<string, number>} */
  let atStart = {}
  let startedAt = 0
  return {
    async start () {
      const quiet = commandCalls(redis.port)
      const t0 = Date.now()
      await sleep(BASELINE_MS)
      atStart = commandCalls(redis.port)
      startedAt = Date.now()
      const seconds = (startedAt - t0) / 1000
      background = Object.fromEntries(Object.entries(since(atStart, quiet)).map(([c, n]) => [c, n / seconds]))
    },
    end (updates) {
      const seconds = (Date.now() - startedAt) / 1000
      /** @type {[string, number][]} */
      const perUpdate = []
      for (const [command, n] of Object.entries(since(commandCalls(redis.port), atStart))) {
        const net = Math.max(0, n - (background[command] ?? 0) * seconds)
        if (updates > 0 && net / updates >= 0.005) perUpdate.push([command, round(net / updates, 2)])
      }
      perUpdate.sort((a, b) => b[1] - a[1])
      const others = perUpdate.filter(([c]) => c !== 'publish')
      return {
        // a string, not an object: repeats keep the first run's, where counts would be summed
        redis_commands_per_update: perUpdate.map(([c, n]) => `${c} ${n}`).join(', ') || 'none',
        publish_per_update: perUpdate.find(([c]) => c === 'publish')?.[1] ?? 0,
        other_commands_per_update: round(others.reduce((n, [, v]) => n + v, 0), 2),
        redis_background_per_s: round(Object.values(background).reduce((n, v) => n + v, 0), 1)
      }
    },
    cpuSeconds: () => redis.proc.cpuSeconds()
  }
}

/**
 * Calls made between two INFO snapshots, our own INFO calls left out.
 * @param {Record<string, number>} later
 * @param {Record<string, number>} earlier
 */
function since (later, earlier) {
  return Object.fromEntries(Object.entries(later)
    .filter(([c]) => c !== 'info')
    .map(([c, n]) => [c, n - (earlier[c] ?? 0)])
    .filter(([, n]) => Number(n) > 0))
}

/**
 * @param {number|null} a
 * @param {number|null} b
 */
function ratio (a, b) {
  return a === null || b === null || b === 0 ? null : round(a / b, 2)
}

/**
 * Verdicts against the targets, from Paja's (combined) row.
 * @param {{server: string, label: string, result: Record<string, any>}[]} rows
 * @returns {string[]}
 */
function summarize (rows) {
  const r = rows.find((x) => x.server === 'paja' && !x.result.skipped)?.result
  if (r === undefined) return []
  const verdict = (/** @type {boolean} */ ok) => ok ? 'MET' : 'NOT MET'
  const dp50 = round(r.p50_ms - r.single_p50_ms, 2)
  return [
    `targets, ${r.instances} instances vs 1 embedded instance, ${r.clients} clients, same load in this run:`,
    `  p50 within ${TARGET.p50DeltaMs} ms: ${r.p50_ms} vs ${r.single_p50_ms} ms (${dp50 >= 0 ? '+' : ''}${dp50}): ` +
      verdict(dp50 <= TARGET.p50DeltaMs),
    `  total CPU (instances + Redis) ≤ ${TARGET.cpuRatio}×: ${r.total_cpu_us_per_delivery} vs ` +
      `${r.single_cpu_us_per_delivery} µs/delivery = ${r.cpu_ratio}× (instances alone ${r.paja_cpu_ratio}×; ` +
      `1 instance on Redis ${r.one_on_redis_cpu_us_per_delivery} µs): ` +
      verdict(r.cpu_ratio !== null && r.cpu_ratio <= TARGET.cpuRatio),
    `  one PUBLISH per update, no state-vector round trip: ${r.publish_per_update} PUBLISH and ` +
      `${r.other_commands_per_update} other commands per update ` +
      `(${r.redis_commands_per_update}): ` +
      verdict(r.publish_per_update <= TARGET.publishPerUpdate + PUBLISH_SLACK)
  ]
}
