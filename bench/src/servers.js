// The servers under test. Each adapter starts one server process and turns a board key into
// a WebSocket URL; the scenarios never care which server they talk to.

import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execFileSync } from 'node:child_process'
import { ServerProcess, freePort } from './proc.js'

export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url))
export const REPO_DIR = join(BENCH_DIR, '..')
const HOST = '127.0.0.1'

/**
 * The environment for a server: ours without PAJA_* settings that would change what it does.
 * @param {Record<string, string>} extra
 */
function serverEnv (extra) {
  /** @type {NodeJS.ProcessEnv} */
  const env = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('PAJA_') && k !== 'PORT') env[k] = v
  }
  return { ...env, ...extra }
}

/**
 * @typedef {object} Running
 * @property {ServerProcess[]} processes one per instance
 * @property {(key: string, instance?: number) => Promise<string>} boardUrl
 * @property {() => Promise<void>} stop
 * @property {() => Promise<{stopMs: number, exitCodes: number[], readyMs: number}>} [restart]
 *   SIGTERM and start again on the same data (persistent servers)
 * @property {string} [dataDir]
 */

/**
 * @typedef {object} Adapter
 * @property {string} name
 * @property {string} label
 * @property {boolean} persistent keeps documents across a restart
 * @property {boolean} multiInstance runs several instances on one Redis
 * @property {() => string|null} unavailable why it can't run here, null when it can
 * @property {(opts: {core: number|null, redisUrl?: string, instances?: number}) =>
 *   Promise<Running>} start
 */

/** @type {Adapter} */
const node = {
  name: 'node',
  label: 'y-websocket (Node)',
  persistent: false,
  multiInstance: false,
  unavailable () {
    const script = join(BENCH_DIR, 'node_modules/@y/websocket-server/src/server.js')
    return existsSync(script) ? null : 'bench/node_modules missing: run bench/run setup'
  },
  async start ({ core }) {
    const port = await freePort()
    const script = join(BENCH_DIR, 'node_modules/@y/websocket-server/src/server.js')
    const proc = new ServerProcess('y-websocket', process.execPath, [script], {
      core, env: serverEnv({ HOST, PORT: String(port) })
    })
    await proc.waitHealthy(`http://${HOST}:${port}/`)
    return {
      processes: [proc],
      boardUrl: async (key) => `ws://${HOST}:${port}/${key}`,
      stop: async () => { await proc.stop() }
    }
  }
}

const PYTHON = join(BENCH_DIR, '.venv/bin/python')

/** @type {Adapter} */
const pycrdt = {
  name: 'pycrdt',
  label: 'pycrdt-websocket',
  persistent: false,
  multiInstance: false,
  unavailable () {
    return existsSync(PYTHON) ? null : 'bench/.venv missing: run bench/run setup'
  },
  async start ({ core }) {
    const port = await freePort()
    const script = join(BENCH_DIR, 'anchors/pycrdt_ws_server.py')
    const proc = new ServerProcess('pycrdt-websocket', PYTHON,
      [script, '--host', HOST, '--port', String(port)], { core, env: serverEnv({}) })
    await proc.waitHealthy(`http://${HOST}:${port}/healthz`)
    return {
      processes: [proc],
      boardUrl: async (key) => `ws://${HOST}:${port}/${key}`,
      stop: async () => { await proc.stop() }
    }
  }
}

/** The `paja` console script: $PAJA_BIN, else the repo's .venv, else PATH. */
export function pajaBin () {
  if (process.env.PAJA_BIN) return process.env.PAJA_BIN
  const local = join(REPO_DIR, '.venv/bin/paja')
  if (existsSync(local)) return local
  try {
    return execFileSync('sh', ['-c', 'command -v paja']).toString().trim() || null
  } catch {
    return null
  }
}

/**
 * Flags `paja serve` knows (from its --help), so the bench passes only what this build has.
 * @type {Set<string>|null}
 */
let pajaFlagsSeen = null
function pajaFlags () {
  if (pajaFlagsSeen === null) {
    try {
      const help = execFileSync(/** @type {string} */ (pajaBin()), ['serve', '--help'],
        { stdio: ['ignore', 'pipe', 'pipe'] }).toString()
      pajaFlagsSeen = new Set(help.match(/--[a-z][a-z-]+/g) ?? [])
    } catch {
      return new Set() // the start that follows fails and says why
    }
  }
  return pajaFlagsSeen
}

/**
 * Settings that exist only because every bench client comes from 127.0.0.1 with one token: a
 * real deployment sees one address per person (or per Lab behind NAT) and a token per person,
 * the bench sees one of each for thousands.
 */
const PAJA_BENCH_FLAGS = [
  ['--max-connections-per-address', '1000000'],
  ['--max-connections-per-token', '1000000']
]

/**
 * Spawns a Paja instance on `port` over `dataDir` (not waiting for it to be healthy).
 * @param {number} port
 * @param {string} dataDir
 * @param {number|null} core
 * @param {string|undefined} redisUrl
 */
function spawnPaja (port, dataDir, core, redisUrl) {
  const args = ['serve', '--host', HOST, '--port', String(port), '--data-dir', dataDir]
  if (redisUrl !== undefined) args.push('--redis-url', redisUrl)
  for (const [flag, value] of PAJA_BENCH_FLAGS) if (pajaFlags().has(flag)) args.push(flag, value)
  return new ServerProcess('paja', /** @type {string} */ (pajaBin()), args, {
    core, env: serverEnv({}), cwd: dataDir
  })
}

/**
 * Creates a session; all bench clients use its facilitator token, so they may write.
 * @param {number} port
 * @returns {Promise<{id: string, token: string}>}
 */
async function createSession (port) {
  const res = await fetch(`http://${HOST}:${port}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'bench' })
  })
  if (res.status !== 201 && res.status !== 200) {
    throw new Error(`POST /api/sessions answered ${res.status}: ${await res.text()}`)
  }
  const body = /** @type {{id?: string, facilitator_token?: string}} */ (await res.json())
  if (!body.id || !body.facilitator_token) {
    throw new Error(`POST /api/sessions lacks id or facilitator_token: ${JSON.stringify(body)}`)
  }
  return { id: body.id, token: body.facilitator_token }
}

/** @type {Adapter} */
const paja = {
  name: 'paja',
  label: 'Paja',
  persistent: true,
  multiInstance: true,
  unavailable () {
    return pajaBin() === null ? 'no paja console script (.venv/bin/paja, $PAJA_BIN or PATH)' : null
  },
  async start ({ core, redisUrl, instances = 1 }) {
    const root = mkdtempSync(join(tmpdir(), 'paja-bench-'))
    const ports = await Promise.all(Array.from({ length: instances }, freePort))
    const dirs = ports.map((_, i) => join(root, `instance-${i}`))
    for (const dir of dirs) mkdirSync(dir, { recursive: true })
    /** @type {ServerProcess[]} */
    let processes = []
    const launch = async () => {
      processes = ports.map((port, i) => spawnPaja(port, dirs[i], core, redisUrl))
      running.processes = processes
      await Promise.all(processes.map((p, i) => p.waitHealthy(`http://${HOST}:${ports[i]}/healthz`)))
    }
    /** Sessions by board key: every board is the `main` board of its own session. */
    /** @type {Map<string, Promise<{id: string, token: string}>>} */
    const sessions = new Map()
    /** @type {Running} */
    const running = {
      processes,
      dataDir: root,
      boardUrl: async (key, instance = 0) => {
        if (!sessions.has(key)) sessions.set(key, createSession(ports[0]))
        const { id, token } = await /** @type {Promise<{id: string, token: string}>} */ (sessions.get(key))
        const port = ports[instance % ports.length]
        return `ws://${HOST}:${port}/ws/${id}/main?token=${encodeURIComponent(token)}`
      },
      stop: async () => {
        await Promise.all(processes.map((p) => p.stop()))
        rmSync(root, { recursive: true, force: true })
      },
      restart: async () => {
        const t0 = Date.now()
        const codes = await Promise.all(processes.map((p) => p.stop()))
        const t1 = Date.now()
        await launch()
        return { stopMs: t1 - t0, exitCodes: codes, readyMs: Date.now() - t1 }
      }
    }
    try {
      await launch()
    } catch (err) {
      await Promise.all(processes.map((p) => p.stop()))
      rmSync(root, { recursive: true, force: true })
      throw err
    }
    return running
  }
}

/** @type {Record<string, Adapter>} */
export const ADAPTERS = { node, pycrdt, paja }
