// End the session (after asking): timers stop, participants only read from then on, and
// every screen says so (docs/schema.md, `session.ended_at`).

import { useState } from 'preact/hooks'
import { useT } from '../../i18n'
import { command } from '../../lib/api'
import { Confirm, ErrorText } from '../common'
import type { FacilitatorCtx } from './ctx'
import { useRunner } from './useRunner'

export function EndSession({ ctx }: { ctx: FacilitatorCtx }) {
  const t = useT()
  const { busy, error, run } = useRunner()
  const [asking, setAsking] = useState(false)
  if (typeof ctx.state.session.ended_at === 'number') return null
  return (
    <div class="panel">
      <button type="button" class="danger" onClick={() => setAsking(true)} disabled={busy} data-testid="end-session">
        {t('end.button')}
      </button>
      <ErrorText error={error} />
      {asking && (
        <Confirm
          title={t('end.confirmTitle')}
          body={t('end.confirmBody')}
          yes={t('end.confirm')}
          no={t('cancel.keep')}
          onYes={() => {
            setAsking(false)
            void run(() => command(ctx.sessionId, ctx.token, 'end'))
          }}
          onNo={() => setAsking(false)}
        />
      )}
    </div>
  )
}
