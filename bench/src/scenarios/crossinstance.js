// crossinstance: Paja only — clients spread over several instances sharing one Redis.

import { LOAD_COLUMNS } from '../report.js'
import { runLoad } from '../load.js'
import { withServer } from '../harness.js'
import { redisUnavailable, startRedis } from '../redis.js'

export default {
  name: 'crossinstance',
  about: 'one board, clients spread over I Paja instances on one Redis: cross-instance fan-out',
  columns: [...LOAD_COLUMNS, ['redis_cpu_s', 'redis CPU s']],
  defaults: { instances: 3, clients: 150, writers: 10, rate: 2, duration: 10, drain: 30 },
  /** @param {import('../servers.js').Adapter} adapter */
  unsupported (adapter) {
    if (!adapter.multiInstance) return 'n/a: single instance server'
    return redisUnavailable()
  },
  /** @param {import('../harness.js').RunContext} ctx */
  async run (ctx) {
    const { instances, clients, writers, rate, duration, drain } = ctx.opts
    const redis = await startRedis(ctx.serverCore)
    try {
      const cpu0 = redis.proc.cpuSeconds()
      let result
      try {
        result = await withServer(ctx, { redisUrl: redis.url, instances }, (server) =>
          runLoad(server, { boards: 1, clients, writers, rate, duration, drain, instances },
            ctx.gen, ctx.runId))
      } catch (err) {
        return { skipped: `Paja did not run with --redis-url: ${/** @type {Error} */ (err).message}` }
      }
      return { instances, ...result, redis_cpu_s: Math.round((redis.proc.cpuSeconds() - cpu0) * 100) / 100 }
    } finally {
      await redis.proc.stop()
    }
  }
}
