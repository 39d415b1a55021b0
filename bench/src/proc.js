// Server processes: start (pinned), wait until healthy, stop; CPU and memory from /proc.

import { spawn, execFileSync } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import net from 'node:net'

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100
const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** @returns {Promise<number>} a TCP port free on 127.0.0.1 right now */
export function freePort () {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const port = /** @type {net.AddressInfo} */ (server.address()).port
      server.close(() => resolve(port))
    })
  })
}

/**
 * @param {number} pid
 * @returns {number[]} pid and all its live descendants
 */
export function processTree (pid) {
  /** @type {Map<number, number[]>} */
  const children = new Map()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = readStat(Number(entry))
    if (stat === null) continue
    const ppid = Number(stat[1])
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)])
  }
  const tree = [pid]
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]) ?? []))
  return tree
}

/**
 * Fields of /proc/PID/stat after the command name (index 0 = state, 1 = ppid, ...).
 * @param {number} pid
 * @returns {string[]|null}
 */
function readStat (pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return text.slice(text.lastIndexOf(')') + 2).split(' ')
  } catch {
    return null
  }
}

/**
 * CPU seconds (user + system) of a process tree, including children it has waited for.
 * @param {number} pid
 * @returns {number}
 */
export function cpuSeconds (pid) {
  let ticks = 0
  for (const p of processTree(pid)) {
    const stat = readStat(p)
    if (stat === null) continue
    // utime, stime, cutime, cstime are fields 14-17 of stat: 11-14 here
    ticks += Number(stat[11]) + Number(stat[12]) + Number(stat[13]) + Number(stat[14])
  }
  return ticks / CLOCK_TICKS
}

/**
 * Resident and peak resident memory of a process tree, in KiB.
 * @param {number} pid
 * @returns {{rssKb: number, hwmKb: number}}
 */
export function memory (pid) {
  let rssKb = 0
  let hwmKb = 0
  for (const p of processTree(pid)) {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8')
      rssKb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
      hwmKb += Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0)
    } catch {}
  }
  return { rssKb, hwmKb }
}

/** Servers still running, killed if the bench itself exits or is interrupted. */
const live = new Set()
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => process.exit(130))
}

export class ServerProcess {
  /**
   * @param {string} name
   * @param {string} command
   * @param {string[]} args
   * @param {{env?: NodeJS.ProcessEnv, cwd?: string, core?: number|null}} options
   */
  constructor (name, command, args, options = {}) {
    this.name = name
    const pinned = options.core === null || options.core === undefined
      ? [command, args]
      : ['taskset', ['-c', String(options.core), command, ...args]]
    this.child = spawn(/** @type {string} */ (pinned[0]), /** @type {string[]} */ (pinned[1]), {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    this.pid = /** @type {number} */ (this.child.pid)
    live.add(this.child)
    this.output = ''
    this.exitCode = /** @type {number|null} */ (null)
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        live.delete(this.child)
        this.exitCode = code ?? (signal === null ? -1 : 128)
        resolve(this.exitCode)
      })
    })
    const keep = (/** @type {Buffer} */ chunk) => {
      this.output = (this.output + chunk.toString()).slice(-4000)
    }
    this.child.stdout?.on('data', keep)
    this.child.stderr?.on('data', keep)
  }

  /** Last lines the server printed, for error messages. */
  tail (lines = 8) {
    return this.output.trim().split('\n').slice(-lines).join('\n')
  }

  /**
   * Polls an HTTP URL until it answers 2xx.
   * @param {string} url
   * @param {number} timeoutMs
   */
  async waitHealthy (url, timeoutMs = 30000) {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (this.exitCode !== null) {
        throw new Error(`${this.name} exited with ${this.exitCode}: ${this.tail()}`)
      }
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(1000) })
        if (res.ok) return
      } catch {}
      await sleep(50)
    }
    throw new Error(`${this.name} not healthy at ${url} after ${timeoutMs} ms: ${this.tail()}`)
  }

  /**
   * SIGTERM, then SIGKILL after `graceMs`.
   * @returns {Promise<number>} exit code
   */
  async stop (graceMs = 10000) {
    if (this.exitCode !== null) return this.exitCode
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs)
    const code = await this.exited
    clearTimeout(timer)
    return /** @type {number} */ (code)
  }

  cpuSeconds () {
    return cpuSeconds(this.pid)
  }

  memory () {
    return memory(this.pid)
  }
}

/** @returns {number} CPU seconds all cores spent busy (not idle, not iowait) since boot */
export function machineBusySeconds () {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
  const [user, nice, system, , , irq, softirq, steal] = cpu
  return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS
}
