// fanout: one board, N clients, W of them writing R updates/s each for D seconds.

import { LOAD_COLUMNS } from '../report.js'
import { runLoad } from '../load.js'
import { withServer } from '../harness.js'

export default {
  name: 'fanout',
  about: 'one board, N clients, W writers at R updates/s for D s: delivery rate, latency, CPU',
  columns: LOAD_COLUMNS,
  defaults: { clients: 200, writers: 10, rate: 2, duration: 10, drain: 30 },
  /** @param {import('../servers.js').Adapter} _adapter */
  unsupported (_adapter) { return null },
  /** @param {import('../harness.js').RunContext} ctx */
  run (ctx) {
    const { clients, writers, rate, duration, drain } = ctx.opts
    const plan = { boards: 1, clients, writers, rate, duration, drain, instances: 1 }
    return withServer(ctx, {}, (server) => runLoad(server, plan, ctx.gen, ctx.runId))
  }
}
