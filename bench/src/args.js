// Command line: `run <scenario[,scenario...]|all> [--option value]...`

export const USAGE = `usage: bench/run <scenario[,scenario...]|all> [options]

scenarios: fanout rooms join idle coldload crossinstance soak capacity workshop
           (all: every one but soak, capacity and workshop)

options (a scenario uses those it knows; defaults per scenario in docs/benchmarks.md):
  --servers LIST    servers to compare, default node,pycrdt,paja
  --clients N       clients per board (fanout, rooms, crossinstance), joiners (join),
                    idle connections (idle), the first step (capacity)
  --max-clients N   the largest step (capacity), default 3200
  --writers N       writing clients per board
  --rate R          updates per second per writer
  --duration S      seconds of writing (soak: of the whole run, default 600; capacity: of
                    each step)
  --drain S         seconds to wait at most for late deliveries after writing stops
                    (default 30; capacity 5)
  --boards K        boards (rooms, soak)
  --churn C         readers per board that leave, and as many that join, every 10 s (soak)
  --board-minutes L a board's workshop lasts L minutes, then all its people leave and a new
                    board takes its place (soak, default 4; at least --duration: never)
  --notes N         notes on the board before the join (join)
  --updates N       logged updates before the restart (coldload)
  --instances N     Paja instances on one Redis (crossinstance, default 2)
  --cases LIST      workshop cases to run: a, b, c (default a,b,c)
  --size-duration S seconds of each of case c's two runs (workshop, default 60)
  --repeat N        run each (scenario, server) N times, report medians
  --workers N       generator processes (default: one per core left after the server's)
  --no-pin          do not pin the server to core 0 and the generator to the others
  --deflate         offer permessage-deflate as browsers do (default off: inflating every
                    frame costs the generator ~40 µs, more than a fast server spends)
  --out FILE        also append the JSON lines to FILE (default bench/results/<date>.jsonl)
  --strict          exit 3 when any run has missing or duplicate deliveries or failed clients
`

const NUMERIC = new Set(['clients', 'max-clients', 'writers', 'rate', 'duration', 'drain',
  'boards', 'notes', 'updates', 'instances', 'repeat', 'workers', 'churn',
  'board-minutes', 'size-duration'])
const FLAGS = new Set(['no-pin', 'deflate', 'strict', 'help'])

/**
 * @param {string[]} argv
 * @returns {{scenarios: string[], options: Record<string, any>}}
 */
export function parseArgs (argv) {
  /** @type {Record<string, any>} */
  const options = {}
  /** @type {string[]} */
  const positional = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (!arg.startsWith('--')) {
      positional.push(arg)
      continue
    }
    let [key, value] = arg.slice(2).split(/=(.*)/s, 2)
    if (FLAGS.has(key)) {
      options[key] = true
      continue
    }
    if (value === undefined) {
      value = argv[++i]
      if (value === undefined) throw new Error(`--${key} needs a value`)
    }
    if (NUMERIC.has(key)) {
      const n = Number(value)
      if (!Number.isFinite(n) || n <= 0) throw new Error(`--${key} wants a positive number`)
      options[key] = n
    } else if (key === 'servers' || key === 'out' || key === 'cases') {
      options[key] = value
    } else {
      throw new Error(`unknown option --${key}`)
    }
  }
  return { scenarios: positional.flatMap((p) => p.split(',')).filter(Boolean), options }
}
