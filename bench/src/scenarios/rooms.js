// rooms: K boards × M clients each, W writers per board at R updates/s for D seconds.

import { LOAD_COLUMNS } from '../report.js'
import { runLoad } from '../load.js'
import { withServer } from '../harness.js'

export default {
  name: 'rooms',
  about: 'K boards × M clients, W writers per board at R updates/s: many small rooms at once',
  columns: LOAD_COLUMNS,
  defaults: { boards: 50, clients: 20, writers: 2, rate: 2, duration: 10, drain: 30 },
  /** @param {import('../servers.js').Adapter} _adapter */
  unsupported (_adapter) { return null },
  /** @param {import('../harness.js').RunContext} ctx */
  run (ctx) {
    const { boards, clients, writers, rate, duration, drain } = ctx.opts
    const plan = { boards, clients, writers, rate, duration, drain, instances: 1 }
    return withServer(ctx, {}, (server) => runLoad(server, plan, ctx.gen, ctx.runId))
  }
}
