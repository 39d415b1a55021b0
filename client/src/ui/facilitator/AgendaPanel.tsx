// Agenda: move through the session's items (starting each item's timer, if asked), and
// edit the list as plain lines of "title, minutes"; the current item's steps run from here.

import { useState } from 'preact/hooks'
import { useI18n } from '../../i18n'
import { commandsFor, sessionCall } from '../../lib/api'
import { currentItem, itemTitle } from '../../lib/control'
import { ErrorText } from '../common'
import { agendaText, minutes, parseAgenda } from './agenda'
import { AgendaSteps } from './AgendaSteps'
import type { FacilitatorCtx } from './ctx'
import { SaveTemplate } from './SaveTemplate'
import { useRunner } from './useRunner'

export function AgendaPanel({ ctx }: { ctx: FacilitatorCtx }) {
  const { t, lang } = useI18n()
  const { busy, error, run } = useRunner()
  const { items, current } = ctx.state.agenda
  const [editing, setEditing] = useState(false)
  const [draft, setDraft] = useState('')
  const [withTimer, setWithTimer] = useState(true)
  const idx = items.findIndex((i) => i.id === current)
  const cmd = commandsFor(ctx.sessionId, ctx.token)
  const go = (item: string | null) => run(() => cmd('agenda/current', { item, start_timer: withTimer }), 'agenda.moved')
  const startTimer = () => {
    const item = currentItem(ctx.state.agenda)
    if (item) return run(() => cmd('agenda/current', { item: item.id, start_timer: true }), 'timer.started')
  }
  const save = async () => {
    const items = parseAgenda(draft, ctx.state.agenda.items, lang)
    const r = await run(() => sessionCall('put', ctx.sessionId, ctx.token, 'agenda', { items }), 'agenda.saved')
    if (r !== null) setEditing(false)
  }
  return (
    <section aria-labelledby="agenda-h" class="panel">
      <h2 id="agenda-h">{t('agenda.title')}</h2>
      {!editing && (
        <>
          <ol class="agenda-list">
            {items.map((i) => (
              <li key={i.id} class={i.id === current ? 'current' : ''} aria-current={i.id === current ? 'step' : undefined}>
                <span class="agenda-line">
                  <button type="button" class="link agenda-title" onClick={() => go(i.id)} disabled={busy}>
                    {itemTitle(i, lang)}
                  </button>
                  <span class="hint agenda-minutes">· {t('agenda.minutes', { n: minutes(i.duration_ms) })}</span>
                </span>
                {i.id === current && <AgendaSteps ctx={ctx} item={i} />}
              </li>
            ))}
          </ol>
          {items.length === 0 && <p class="hint">{t('agenda.empty')}</p>}
          <label class="check">
            <input type="checkbox" checked={withTimer} onChange={(e) => setWithTimer((e.target as HTMLInputElement).checked)} />
            {t('agenda.withTimer')}
          </label>
          <div class="buttons">
            <button type="button" onClick={() => go(idx > 0 ? items[idx - 1].id : null)} disabled={busy || idx < 0}>
              {t('agenda.previous')}
            </button>
            <button
              type="button"
              class="primary"
              onClick={() => run(() => cmd('agenda/next', { start_timer: withTimer }), 'agenda.moved')}
              disabled={busy || items.length === 0 || idx === items.length - 1}
            >
              {idx < 0 ? t('agenda.begin') : t('agenda.next')}
            </button>
            <button type="button" onClick={startTimer} disabled={busy || idx < 0}>
              {t('agenda.startTimer')}
            </button>
          </div>
          <button
            type="button"
            class="link"
            onClick={() => {
              setDraft(agendaText(items, lang))
              setEditing(true)
            }}
          >
            {t('agenda.edit')}
          </button>
          <SaveTemplate ctx={ctx} />
        </>
      )}
      {editing && (
        <div class="stack">
          <label for="agenda-draft">{t('agenda.editLabel')}</label>
          <textarea id="agenda-draft" rows={8} value={draft} onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)} />
          <div class="buttons">
            <button type="button" class="primary" onClick={save} disabled={busy}>
              {t('save')}
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              {t('cancel')}
            </button>
          </div>
        </div>
      )}
      <ErrorText error={error} />
    </section>
  )
}
