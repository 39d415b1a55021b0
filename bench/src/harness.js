// What every scenario run shares: a server started for it alone (so its peak memory belongs to
// this scenario), a generator pool, and the figures taken from /proc around the run.

import { WorkerPool } from './pool.js'

/**
 * @typedef {object} RunContext
 * @property {import('./servers.js').Adapter} adapter
 * @property {Record<string, any>} opts the scenario's options
 * @property {{workers: number, cores: number[]|null, deflate: boolean}} gen
 * @property {number|null} serverCore
 * @property {string} runId
 */

/**
 * Starts the server, runs `body`, adds its peak memory and stops it.
 * @template {Record<string, any>} T
 * @param {RunContext} ctx
 * @param {{redisUrl?: string, instances?: number}} startOpts
 * @param {(server: import('./servers.js').Running) => Promise<T>} body
 * @returns {Promise<T & {peak_rss_mb: number}>}
 */
export async function withServer (ctx, startOpts, body) {
  const server = await ctx.adapter.start({ core: ctx.serverCore, ...startOpts })
  try {
    const result = await body(server)
    const hwmKb = server.processes.reduce((n, p) => n + p.memory().hwmKb, 0)
    return { ...result, peak_rss_mb: Math.round(hwmKb / 1024) }
  } finally {
    await server.stop()
  }
}

/**
 * Runs `body` with a started generator pool and stops the pool after.
 * @template T
 * @param {RunContext} ctx
 * @param {(pool: WorkerPool) => Promise<T>} body
 * @returns {Promise<T>}
 */
export async function withPool (ctx, body) {
  const pool = new WorkerPool(ctx.gen.workers, ctx.gen)
  await pool.start()
  try {
    return await body(pool)
  } finally {
    await pool.stop()
  }
}

export const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms))
