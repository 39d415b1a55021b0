// A throwaway redis-server for the crossinstance scenario: loopback, free port, no persistence;
// and what it was asked to do (INFO commandstats), to count Redis commands per update.

import { execFileSync } from 'node:child_process'
import { ServerProcess, freePort } from './proc.js'

/** @returns {string|null} why no redis-server can be started, null when it can */
export function redisUnavailable () {
  try {
    execFileSync('sh', ['-c', 'command -v redis-server'])
    return null
  } catch {
    return 'redis-server not installed (bench/run installs it when run as root)'
  }
}

/**
 * @param {number|null} core
 * @returns {Promise<{url: string, port: number, proc: ServerProcess}>}
 */
export async function startRedis (core) {
  const port = await freePort()
  const proc = new ServerProcess('redis-server', 'redis-server', [
    '--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no',
    '--protected-mode', 'yes', '--loglevel', 'warning'
  ], { core })
  const deadline = Date.now() + 10000
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`redis-server exited: ${proc.tail()}`)
    try {
      execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'ping'], { stdio: 'pipe' })
      return { url: `redis://127.0.0.1:${port}/0`, port, proc }
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  await proc.stop()
  throw new Error('redis-server did not answer PING within 10 s')
}

/**
 * Calls of every command since the server started, by lower-case name (`publish`, `xadd`,
 * ...). Our own INFO calls count too: callers leave out `info`.
 * @param {number} port
 * @returns {Record<string, number>}
 */
export function commandCalls (port) {
  const text = execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'info', 'commandstats'],
    { stdio: 'pipe' }).toString()
  /** @type {Record<string, number>} */
  const calls = {}
  for (const [, name, n] of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[name] = Number(n)
  return calls
}
