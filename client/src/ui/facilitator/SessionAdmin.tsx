// The session itself: take it home (JSON, Markdown, CSV), end it, delete it for good. Deleting
// asks the facilitator to type the session's title, since nothing brings it back.

import { useState } from 'preact/hooks'
import { useT } from '../../i18n'
import { call, downloadExport } from '../../lib/api'
import { forgetSession } from '../../lib/store'
import { Dialog, ErrorText } from '../common'
import type { FacilitatorCtx } from './ctx'
import { EndSession } from './EndSession'
import { useRunner } from './useRunner'
import { WebhooksPanel } from './WebhooksPanel'

const FORMATS = [
  ['json', 'admin.exportJson'],
  ['markdown', 'admin.exportMarkdown'],
  ['csv', 'admin.exportCsv'],
] as const

export function SessionAdmin({ ctx }: { ctx: FacilitatorCtx }) {
  const t = useT()
  const { busy, error, run } = useRunner()
  return (
    <>
      <section aria-labelledby="export-h" class="panel">
        <h2 id="export-h">{t('admin.export')}</h2>
        <p class="hint">{t('admin.exportHint')}</p>
        <div class="buttons">
          {FORMATS.map(([format, label]) => (
            <button type="button" key={format} disabled={busy} onClick={() => run(() => downloadExport(ctx.sessionId, ctx.token, format))} data-testid={`export-${format}`}>
              {t(label)}
            </button>
          ))}
        </div>
        <ErrorText error={error} />
      </section>
      <EndSession ctx={ctx} />
      <WebhooksPanel ctx={ctx} />
      <DeleteSession ctx={ctx} />
    </>
  )
}

function DeleteSession({ ctx }: { ctx: FacilitatorCtx }) {
  const t = useT()
  const { busy, error, run } = useRunner()
  const [asking, setAsking] = useState(false)
  const [typed, setTyped] = useState('')
  const title = ctx.state.session.title || ctx.sessionId
  const erase = async () => {
    const gone = await run(async () => {
      await call('delete', '/api/sessions/{session_id}', ctx.token, { session_id: ctx.sessionId })
      return true // the answer has no content: null would read as a failure
    })
    if (gone === null) return
    forgetSession(ctx.sessionId)
    location.assign('/')
  }
  return (
    <section aria-labelledby="delete-h" class="panel">
      <h2 id="delete-h">{t('admin.delete')}</h2>
      <p class="hint">{t('admin.deleteHint')}</p>
      <button type="button" class="danger" onClick={() => setAsking(true)} data-testid="delete-session">
        {t('admin.delete')}
      </button>
      {asking && (
        <Dialog title={t('admin.deleteTitle')} onClose={() => setAsking(false)}>
          <p>{t('admin.deleteBody', { title })}</p>
          <label for="delete-typed">{t('admin.deleteType', { title })}</label>
          <input id="delete-typed" value={typed} autoComplete="off" onInput={(e) => setTyped((e.target as HTMLInputElement).value)} data-testid="delete-typed" />
          <div class="buttons">
            <button type="button" class="danger" disabled={busy || typed.trim() !== title.trim()} onClick={erase} data-testid="delete-confirm">
              {t('admin.deleteConfirm')}
            </button>
            <button type="button" onClick={() => setAsking(false)}>
              {t('cancel')}
            </button>
          </div>
          <ErrorText error={error} />
        </Dialog>
      )}
    </section>
  )
}
