// Webhooks: add a Teams Workflows or signed JSON webhook (its signing secret is shown once),
// send it a test event, see the deliveries and dead letters, retry one, remove a webhook.
// The webhooks live in the server's store, not in `control`, so this panel asks for them.

import { useEffect, useState } from 'preact/hooks'
import { useT } from '../../i18n'
import { type Schemas, sessionCall } from '../../lib/api'
import { CopyField, ErrorText } from '../common'
import type { FacilitatorCtx } from './ctx'
import { useRunner } from './useRunner'

type Hook = Schemas['WebhookInfo']
type Delivery = Schemas['DeliveryInfo']
// While something is on its way, the list is asked for again this often.
const REFRESH_MS = 1500

export function WebhooksPanel({ ctx }: { ctx: FacilitatorCtx }) {
  const t = useT()
  const { busy, error, run } = useRunner()
  const [hooks, setHooks] = useState<Hook[]>([])
  const [deliveries, setDeliveries] = useState<Delivery[]>([])
  const [url, setUrl] = useState('')
  const [format, setFormat] = useState<'json' | 'teams'>('teams')
  const [secret, setSecret] = useState<string | null>(null)
  const [version, setVersion] = useState(0)
  const { sessionId, token } = ctx
  const reload = () => setVersion((v) => v + 1)
  useEffect(() => {
    let gone = false
    void Promise.all([sessionCall('get', sessionId, token, 'webhooks'), sessionCall('get', sessionId, token, 'webhooks/deliveries')])
      .then(([h, d]) => {
        if (gone) return
        setHooks(h)
        setDeliveries(d)
      })
      .catch(() => undefined)
    return () => {
      gone = true
    }
  }, [version])
  const pending = deliveries.some((d) => d.state === 'pending')
  useEffect(() => {
    if (!pending) return
    const timer = setTimeout(reload, REFRESH_MS)
    return () => clearTimeout(timer)
  }, [pending, deliveries])

  const add = async (e: Event) => {
    e.preventDefault()
    const made = await run(() => sessionCall('post', sessionId, token, 'webhooks', { url: url.trim(), format }), 'webhooks.added')
    if (made === null) return
    setUrl('')
    setSecret(made.secret ?? null)
    reload()
  }
  const act = async (fn: () => Promise<unknown>, done: 'webhooks.testSent' | 'webhooks.removed' | 'webhooks.retried') => {
    await run(fn, done) // a removal answers with no content: reload either way
    reload()
  }
  return (
    <section aria-labelledby="webhooks-h" class="panel">
      <h2 id="webhooks-h">{t('webhooks.title')}</h2>
      <p class="hint">{t('webhooks.hint')}</p>
      <ul class="webhook-list" data-testid="webhook-list">
        {hooks.map((h) => (
          <li key={h.id}>
            <span class="name">{h.url}</span>
            <span class="badge">{h.format === 'teams' ? 'Teams' : t('webhooks.signedJson')}</span>
            <div class="buttons">
              <button type="button" class="small" disabled={busy} onClick={() => act(() => sessionCall('post', sessionId, token, 'webhooks/{webhook_id}/test', { webhook_id: h.id }), 'webhooks.testSent')} data-testid="webhook-test">
                {t('webhooks.test')}
              </button>
              <button type="button" class="small danger" disabled={busy} onClick={() => act(() => sessionCall('delete', sessionId, token, 'webhooks/{webhook_id}', { webhook_id: h.id }), 'webhooks.removed')} data-testid="webhook-remove">
                {t('webhooks.remove')}
              </button>
            </div>
          </li>
        ))}
      </ul>
      {secret && <CopyField label={t('webhooks.secret')} value={secret} testid="webhook-secret" />}
      <form class="stack" onSubmit={add}>
        <label for="webhook-url">{t('webhooks.url')}</label>
        <input id="webhook-url" type="url" value={url} maxLength={2000} onInput={(e) => setUrl((e.target as HTMLInputElement).value)} data-testid="webhook-url" />
        <fieldset class="field compact">
          <legend>{t('webhooks.format')}</legend>
          <label class="check">
            <input type="radio" name="webhook-format" checked={format === 'teams'} onChange={() => setFormat('teams')} data-testid="webhook-teams" />
            {t('webhooks.teams')}
          </label>
          <label class="check">
            <input type="radio" name="webhook-format" checked={format === 'json'} onChange={() => setFormat('json')} data-testid="webhook-json" />
            {t('webhooks.signedJson')}
          </label>
        </fieldset>
        <div>
          <button type="submit" disabled={busy || !url.trim()} data-testid="webhook-add">
            {t('webhooks.add')}
          </button>
        </div>
      </form>
      <ErrorText error={error} />
      {deliveries.length > 0 && (
        <>
          <h3>{t('webhooks.deliveries')}</h3>
          <ul class="delivery-list" data-testid="delivery-list">
            {deliveries.map((d) => (
              <li key={d.id} class={`delivery ${d.state}`} data-state={d.state}>
                <span class="name">{d.event}</span>
                <span class="badge">{t(`webhooks.state.${d.state}`)}</span>
                {d.last_error && <span class="hint">{d.last_error}</span>}
                {d.state === 'dead' && (
                  <button type="button" class="small" disabled={busy} onClick={() => act(() => sessionCall('post', sessionId, token, 'webhooks/deliveries/{delivery_id}/retry', { delivery_id: d.id }), 'webhooks.retried')} data-testid="delivery-retry">
                    {t('webhooks.retry')}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  )
}
