// The coordinator's side of the generator: forks worker processes (each pinned to a core
// other than the server's) and calls them.

import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url))

export class WorkerPool {
  /**
   * @param {number} size
   * @param {{cores: number[]|null, deflate: boolean}} options cores to pin workers to
   */
  constructor (size, options) {
    this.size = size
    this.options = options
    /** @type {import('node:child_process').ChildProcess[]} */
    this.workers = []
    /** @type {Map<number, {resolve: (v: any) => void, reject: (e: Error) => void}>} */
    this.pending = new Map()
    this.nextId = 1
  }

  async start () {
    for (let i = 0; i < this.size; i++) {
      const cores = this.options.cores
      const [cmd, args] = cores === null || cores.length === 0
        ? [process.execPath, [WORKER]]
        : ['taskset', ['-c', String(cores[i % cores.length]), process.execPath, WORKER]]
      const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
      child.on('message', (/** @type {{id: number, result?: any, error?: string}} */ msg) => {
        const waiter = this.pending.get(msg.id)
        if (waiter === undefined) return
        this.pending.delete(msg.id)
        if (msg.error !== undefined) waiter.reject(new Error(`worker ${i}: ${msg.error}`))
        else waiter.resolve(msg.result)
      })
      child.on('exit', (code) => {
        for (const waiter of this.pending.values()) {
          waiter.reject(new Error(`worker ${i} exited with ${code}`))
        }
        this.pending.clear()
      })
      this.workers.push(child)
    }
    await this.all('configure', () => ({ deflate: this.options.deflate }))
  }

  /**
   * @param {number} index
   * @param {string} op
   * @param {any} [args]
   * @returns {Promise<any>}
   */
  call (index, op, args) {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.workers[index].send({ id, op, args })
    })
  }

  /**
   * Calls every worker, with arguments made per worker.
   * @param {string} op
   * @param {(index: number) => any} [argsFor]
   * @returns {Promise<any[]>}
   */
  all (op, argsFor = () => ({})) {
    return Promise.all(this.workers.map((_, i) => this.call(i, op, argsFor(i))))
  }

  async stop () {
    await Promise.allSettled(this.workers.map((_, i) => this.call(i, 'closeAll')))
    for (const child of this.workers) child.disconnect()
    this.workers = []
  }
}

/**
 * Deals items out to `n` buckets in turn, so writers and boards spread evenly.
 * @template T
 * @param {T[]} items
 * @param {number} n
 * @returns {T[][]}
 */
export function deal (items, n) {
  /** @type {T[][]} */
  const buckets = Array.from({ length: n }, () => [])
  items.forEach((item, i) => buckets[i % n].push(item))
  return buckets
}
