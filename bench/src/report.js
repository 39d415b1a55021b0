// Tables for people, one JSON line per (scenario, server) for machines, and the loud warnings.

/** Counts that must be zero; over repeats the worst run is reported, not the median. */
const MUST_BE_ZERO = ['missing', 'duplicates', 'connect_failed', 'failed', 'closed_early', 'incomplete']

/** Generator busier than this (% of one core) is said to be the limit, not the server. */
export const GEN_SATURATED_PCT = 85

/** Other processes busier than this (% of one core) make the figures noisy. */
export const NOISY_PCT = 15

export const LOAD_COLUMNS = [
  ['deliveries_per_s', 'deliv/s'],
  ['offered_per_s', 'offered/s'],
  ['server_cpu_us_per_delivery', 'srv µs/deliv'],
  ['server_cpu_pct', 'srv CPU%'],
  ['p50_ms', 'p50 ms'],
  ['p99_ms', 'p99 ms'],
  ['max_ms', 'max ms'],
  ['catch_up_s', 'catch-up s'],
  ['missing', 'missing'],
  ['duplicates', 'dups'],
  ['peak_rss_mb', 'peak MB'],
  ['gen_cpu_pct', 'gen CPU%']
]

/**
 * What is wrong with a result, in words; empty when nothing is.
 * @param {Record<string, any>} r
 * @returns {string[]}
 */
export function problems (r) {
  const out = []
  if (r.missing > 0) out.push(`${r.missing} of ${r.expected} deliveries MISSING`)
  if (r.duplicates > 0) out.push(`${r.duplicates} DUPLICATE deliveries`)
  if (r.connect_failed > 0) out.push(`${r.connect_failed} clients FAILED to sync`)
  if (r.failed > 0) out.push(`${r.failed} clients FAILED to sync`)
  if (r.closed_early > 0) out.push(`${r.closed_early} connections CLOSED by the server`)
  if (r.incomplete > 0) out.push(`${r.incomplete} clients got an INCOMPLETE document`)
  if (r.complete === false) out.push('document INCOMPLETE after restart')
  if (r.rss_growth_pct > 10) out.push(`server memory GREW ${r.rss_growth_pct}% from the first minute`)
  if (r.capacity_clients === 0) out.push(`NO STEP PASSED, not even ${r.first_fail_clients} clients`)
  return out
}

/**
 * What makes a result's figures doubtful without making it wrong.
 * @param {Record<string, any>} r
 * @returns {string[]}
 */
export function warnings (r) {
  const out = []
  if (r.gen_cpu_pct > GEN_SATURATED_PCT) {
    out.push(`generator saturated (${r.gen_cpu_pct}% CPU): the figures may be its limit`)
  }
  if (r.limited_by === 'generator') {
    out.push(`GENERATOR LIMITED: ${r.capacity_clients} clients is the generator's limit, not the ` +
      `server's (the generator was saturated at ${r.first_fail_clients})`)
  }
  if (r.limited_by === 'noise') {
    out.push(`${r.capacity_clients} clients is a lower bound: the step at ${r.first_fail_clients} ` +
      'failed while other processes were busy or the generator was late, twice')
  }
  if (r.limited_by === 'cap') {
    out.push(`every step passed up to --max-clients ${r.capacity_clients}: the capacity is at least that`)
  }
  if (r.other_cpu_pct > NOISY_PCT) {
    out.push(`machine not quiet: other processes used ${r.other_cpu_pct}% of a core`)
  }
  return out
}

/**
 * Median of each figure over repeated runs; must-be-zero counts take the worst run.
 * @param {Record<string, any>[]} runs
 * @returns {Record<string, any>}
 */
export function combine (runs) {
  if (runs.length === 1) return { ...runs[0], repeats: 1 }
  /** @type {Record<string, any>} */
  const out = { repeats: runs.length }
  for (const key of Object.keys(runs[0])) {
    const values = runs.map((r) => r[key])
    if (values.every((v) => typeof v === 'number')) {
      out[key] = MUST_BE_ZERO.includes(key) ? Math.max(...values) : median(values)
    } else if (values.every((v) => typeof v === 'boolean')) {
      out[key] = values.every(Boolean)
    } else if (values.every((v) => Array.isArray(v) && v.every((x) => typeof x === 'number'))) {
      out[key] = Array.from({ length: Math.max(...values.map((v) => v.length)) },
        (_, i) => Math.max(...values.map((v) => v[i] ?? 0)))
    } else if (values.every(Array.isArray)) {
      out[key] = values // rows of each run (steps, minutes): kept whole, one list per run
    } else if (values.every((v) => v !== null && typeof v === 'object')) {
      out[key] = sumCounts(values)
    } else {
      out[key] = values.find((v) => v !== null) ?? null
    }
  }
  out.runs_with_problems = runs.filter((r) => problems(r).length > 0).length
  return out
}

/** @param {number[]} values */
function median (values) {
  const s = [...values].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : Math.round((s[m - 1] + s[m]) * 50) / 100
}

/** @param {Record<string, number>[]} maps */
function sumCounts (maps) {
  /** @type {Record<string, number>} */
  const out = {}
  for (const m of maps) for (const [k, v] of Object.entries(m)) out[k] = (out[k] ?? 0) + v
  return out
}

/**
 * Prints the scenario's table: one row per server.
 * @param {string} title
 * @param {string[][]} columns [key, header]
 * @param {{server: string, label: string, result: Record<string, any>}[]} rows
 */
export function printTable (title, columns, rows) {
  const header = ['server', ...columns.map((c) => c[1]), 'check']
  const body = rows.map(({ label, result }) => {
    if (result.skipped) return [label, ...columns.map(() => ''), result.skipped]
    const check = problems(result).length ? '!! FAILED !!' : warnings(result).length ? 'warn' : 'ok'
    return [label, ...columns.map(([key]) => show(result[key])), check]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)))
  const line = (/** @type {string[]} */ cells) => cells.map((c, i) =>
    i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join('  ')
  console.log(`\n== ${title}`)
  console.log(line(header))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const r of body) console.log(line(r))
  for (const { label, result } of rows) {
    if (result.skipped) continue
    for (const p of problems(result)) console.log(`!!! ${label}: ${p}`)
    for (const w of warnings(result)) console.log(`(warning) ${label}: ${w}`)
  }
}

/**
 * A right-aligned cell of the lines a scenario prints as it goes.
 * @param {any} v
 * @param {number} width
 */
export function cell (v, width) {
  return String(v ?? 'n/a').padStart(width)
}

/** @param {any} v */
function show (v) {
  if (v === null || v === undefined) return 'n/a'
  if (typeof v === 'number') return v >= 10000 ? Math.round(v).toLocaleString('en-US') : String(v)
  return String(v)
}
