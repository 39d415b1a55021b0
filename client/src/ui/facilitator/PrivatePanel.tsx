// Private writing: turn it on for the board shown (or one of its sections), watch how many
// notes each participant has written (counts only: the server never hands a facilitator
// their text), then reveal them all at once, with names or without, or discard them.

import { useEffect, useState } from 'preact/hooks'
import { useI18n } from '../../i18n'
import { commandsFor, type Schemas, sessionCall } from '../../lib/api'
import { sectionTitle } from '../../lib/board'
import { Confirm, ErrorText } from '../common'
import { type FacilitatorCtx, useBoardTitle } from './ctx'
import { useRunner } from './useRunner'

const COUNT_EVERY_MS = 2000

export function PrivatePanel({ ctx }: { ctx: FacilitatorCtx }) {
  const { t, lang } = useI18n()
  const boardTitle = useBoardTitle()
  const { busy, error, run } = useRunner()
  const [section, setSection] = useState('')
  const [discarding, setDiscarding] = useState(false)
  const [counts, setCounts] = useState<Schemas['PrivateCounts'] | null>(null)
  const writing = ctx.state.privateWriting
  const open = writing?.state === 'open' ? writing : null
  const cmd = commandsFor(ctx.sessionId, ctx.token)

  useEffect(() => {
    setCounts(null)
    if (!open) return
    let live = true
    const read = () =>
      sessionCall('get', ctx.sessionId, ctx.token, 'private')
        .then((c) => live && setCounts(c))
        .catch(() => {})
    void read()
    const id = setInterval(read, COUNT_EVERY_MS)
    return () => {
      live = false
      clearInterval(id)
    }
  }, [open?.id])

  const sections = ctx.model ? [...ctx.model.sections.values()] : []
  const start = () =>
    run(() => cmd('private', { board: ctx.board, section: section || null }), 'private.started')
  const reveal = (anonymous: boolean) =>
    run(() => cmd('private/reveal', { anonymous }), 'private.revealed').then((r) => r && ctx.goTo(r.board))
  return (
    <section aria-labelledby="private-panel-h" class="panel">
      <h2 id="private-panel-h">{t('private.panelTitle')}</h2>
      <p class="hint">{t('private.panelHint')}</p>
      {!open && (
        <div class="stack">
          <p>{t('private.onBoard', { board: boardTitle(ctx.state, ctx.board) })}</p>
          {sections.length > 0 && (
            <div class="field">
              <label for="private-section">{t('private.section')}</label>
              <select id="private-section" value={section} onChange={(e) => setSection((e.target as HTMLSelectElement).value)}>
                <option value="">{t('private.wholeBoard')}</option>
                {sections.map((s) => (
                  <option value={s.id} key={s.id}>
                    {sectionTitle(s, lang) || s.id}
                  </option>
                ))}
              </select>
              <p class="hint" data-testid="private-section-means">{t('private.sectionMeans')}</p>
            </div>
          )}
          <button type="button" class="primary" onClick={start} disabled={busy || ctx.board.startsWith('breakout-')} data-testid="private-start">
            {t('private.start')}
          </button>
        </div>
      )}
      {open && (
        <div class="stack">
          <p data-testid="private-on">{t('private.isOn', { board: boardTitle(ctx.state, open.board) })}</p>
          <table class="private-counts" data-testid="private-counts">
            <thead>
              <tr>
                <th scope="col">{t('private.person')}</th>
                <th scope="col">{t('private.notes')}</th>
              </tr>
            </thead>
            <tbody>
              {(counts?.people ?? []).map((p) => (
                <tr key={p.id} data-testid="private-count">
                  <td>{p.name}</td>
                  <td>{p.notes}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p data-testid="private-total">{t('private.total', { n: counts?.total ?? 0 })}</p>
          <div class="buttons">
            <button type="button" class="primary" onClick={() => reveal(false)} disabled={busy} data-testid="private-reveal-named">
              {t('private.revealNamed')}
            </button>
            <button type="button" onClick={() => reveal(true)} disabled={busy} data-testid="private-reveal-anonymous">
              {t('private.revealAnonymous')}
            </button>
            <button type="button" class="danger" onClick={() => setDiscarding(true)} disabled={busy} data-testid="private-discard">
              {t('private.discard')}
            </button>
          </div>
        </div>
      )}
      <ErrorText error={error} />
      {discarding && (
        <Confirm
          title={t('private.discardTitle')}
          body={t('private.discardBody')}
          yes={t('private.discard')}
          no={t('private.keep')}
          onYes={() => {
            setDiscarding(false)
            void run(() => sessionCall('delete', ctx.sessionId, ctx.token, 'private'), 'private.discarded')
          }}
          onNo={() => setDiscarding(false)}
        />
      )}
    </section>
  )
}
