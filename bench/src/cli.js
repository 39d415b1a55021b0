// The bench's entry point (bench/run calls it): runs scenarios against servers side by side.

import { appendFileSync, mkdirSync, readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { dirname, join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { USAGE, parseArgs } from './args.js'
import { ADAPTERS, BENCH_DIR } from './servers.js'
import { combine, printTable, problems, warnings } from './report.js'
import { calibrate } from './calibrate.js'
import fanout from './scenarios/fanout.js'
import rooms from './scenarios/rooms.js'
import join_ from './scenarios/join.js'
import idle from './scenarios/idle.js'
import coldload from './scenarios/coldload.js'
import crossinstance from './scenarios/crossinstance.js'
import soak from './scenarios/soak.js'
import capacity from './scenarios/capacity.js'
import workshop from './scenarios/workshop.js'

/**
 * A scenario may have `summarize(rows)`: it sees every server's (combined) result at once,
 * may add figures that compare them to each row's result before the table is printed, and
 * returns verdict lines printed under the table and kept in every JSON line.
 * @type {{name: string, long?: boolean, [key: string]: any}[]}
 */
const SCENARIOS = [fanout, rooms, join_, idle, coldload, crossinstance, soak, capacity, workshop]

/** Cores of the machine: bench/run counts them before pinning the generator to a subset. */
const NPROC = Number(process.env.BENCH_NPROC) || availableParallelism()

function machine () {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8')
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1]?.trim() ?? 'unknown'
  return { nproc: NPROC, cpu: model, node: process.version }
}

/** Server on core 0, generator on the rest, when there are at least two cores and taskset. */
function pinning (noPin) {
  const n = NPROC
  let taskset = true
  try { execFileSync('sh', ['-c', 'command -v taskset']) } catch { taskset = false }
  if (noPin || n < 2 || !taskset) return { serverCore: null, genCores: null }
  return { serverCore: 0, genCores: Array.from({ length: n - 1 }, (_, i) => i + 1) }
}

async function main () {
  let parsed
  try {
    parsed = parseArgs(process.argv.slice(2))
  } catch (err) {
    console.error(`${/** @type {Error} */ (err).message}\n\n${USAGE}`)
    process.exit(2)
  }
  const { scenarios: names, options } = parsed
  if (options.help || names.length === 0) {
    console.log(USAGE)
    process.exit(names.length === 0 && !options.help ? 2 : 0)
  }
  const chosen = names.includes('all') ? SCENARIOS.filter((s) => !s.long) : names.map((n) => {
    const s = SCENARIOS.find((x) => x.name === n)
    if (s === undefined) {
      console.error(`unknown scenario ${n}\n\n${USAGE}`)
      process.exit(2)
    }
    return s
  })
  const servers = (options.servers ?? 'node,pycrdt,paja').split(',').map((name) => {
    const adapter = ADAPTERS[name]
    if (adapter === undefined) {
      console.error(`unknown server ${name}; known: ${Object.keys(ADAPTERS).join(', ')}`)
      process.exit(2)
    }
    return adapter
  })
  const { serverCore, genCores } = pinning(options['no-pin'])
  const gen = {
    workers: options.workers ?? Math.max(1, genCores?.length ?? NPROC - 1),
    cores: genCores,
    deflate: Boolean(options.deflate)
  }
  const host = machine()
  const date = new Date().toISOString()
  const out = options.out ?? join(BENCH_DIR, 'results', `${date.slice(0, 19).replace(/:/g, '')}.jsonl`)
  mkdirSync(dirname(out), { recursive: true })
  console.log(`paja bench ${date}  nproc=${host.nproc}  cpu="${host.cpu}"  node ${host.node}`)
  console.log(`server core: ${serverCore ?? 'unpinned'}  generator: ${gen.workers} process(es) ` +
    `on core(s) ${genCores?.join(',') ?? 'unpinned'}  permessage-deflate offered: ${gen.deflate}`)

  let failures = 0
  for (const scenario of chosen) {
    /** @type {Record<string, any>} */
    const opts = { ...scenario.defaults }
    for (const key of Object.keys(opts)) if (options[key] !== undefined) opts[key] = options[key]
    const repeat = options.repeat ?? 1
    const params = Object.entries(opts).map(([k, v]) => `${k}=${v}`).join(' ')
    const calibrationMs = calibrate()
    console.log(`\n## ${scenario.name}: ${scenario.about}\n   ${params}` +
      (repeat > 1 ? `  (median of ${repeat} runs)` : '') +
      `\n   calibration: ${calibrationMs} ms CPU for a fixed Yjs workload (lower = faster core)`)
    /** @type {Map<string, Record<string, any>[]>} */
    const runs = new Map(servers.map((s) => [s.name, []]))
    /** @type {Map<string, string>} */
    const skipped = new Map()
    for (const adapter of servers) {
      const reason = adapter.unavailable() ?? scenario.unsupported(adapter)
      if (reason !== null) skipped.set(adapter.name, reason)
    }
    for (let r = 0; r < repeat; r++) {
      for (const adapter of servers) {
        if (skipped.has(adapter.name)) continue
        const runId = `${scenario.name}-${Date.now().toString(36)}-${r}`
        process.stdout.write(`   ${adapter.label} run ${r + 1}/${repeat} ... `)
        const t0 = Date.now()
        try {
          /** @type {Record<string, any>} */
          const result = await scenario.run({ adapter, opts, gen, serverCore, runId })
          if (result.skipped) {
            skipped.set(adapter.name, result.skipped)
            console.log(`skipped: ${result.skipped}`)
            continue
          }
          /** @type {Record<string, any>[]} */ (runs.get(adapter.name)).push(result)
          const bad = [...problems(result).map((p) => `!! ${p}`), ...warnings(result)]
          console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s${bad.length ? '  ' + bad.join('; ') : ''}`)
        } catch (err) {
          const message = /** @type {Error} */ (err).message.split('\n').slice(0, 6).join('\n')
          skipped.set(adapter.name, `error: ${message.split('\n')[0]}`)
          console.log(`FAILED\n${message}`)
        }
      }
    }
    const rows = servers.map((adapter) => {
      const list = /** @type {Record<string, any>[]} */ (runs.get(adapter.name))
      const result = list.length ? combine(list) : { skipped: skipped.get(adapter.name) ?? 'no run' }
      return { server: adapter.name, label: adapter.label, result }
    })
    /** @type {string[]} */
    const verdicts = scenario.summarize?.(rows) ?? []
    printTable(scenario.name, scenario.columns, rows)
    for (const v of verdicts) console.log(v)
    for (const { server, result } of rows) {
      const bad = result.skipped ? [] : problems(result)
      failures += bad.length
      const line = JSON.stringify({
        bench: 'paja', scenario: scenario.name, server, date, machine: host, params: opts,
        calibration_ms: calibrationMs,
        ok: !result.skipped && bad.length === 0, problems: bad,
        warnings: result.skipped ? [] : warnings(result),
        ...(verdicts.length && !result.skipped ? { verdicts } : {}), ...result
      })
      console.log(line)
      appendFileSync(out, line + '\n')
    }
  }
  console.log(`\nJSON lines appended to ${out}`)
  if (failures > 0) console.log(`!!! ${failures} problem(s) above: see the lines starting with !!!`)
  process.exit(options.strict && failures > 0 ? 3 : 0)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
