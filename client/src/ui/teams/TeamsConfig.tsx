// The tab's configuration page (/teams/config), shown when Paja is added to a meeting: the
// organiser picks an existing session (its facilitator link or join code) or creates one
// from a template, and Teams' Save stores the tab with that session.

import { useEffect, useState } from 'preact/hooks'
import { useI18n } from '../../i18n'
import { call, compactCode, findCode, type Schemas, statusOf } from '../../lib/api'
import { saveFacilitator, saveFacilitatorToken } from '../../lib/store'
import type { TabSettings, TeamsHost } from '../../lib/teams'
import { ErrorText, PageFrame } from '../common'
import { TeamsWaiting } from './TeamsSide'
import { useTeams } from './useTeams'

interface Chosen {
  id: string
  title: string
  code: string
}

interface Template {
  id: string
  titles: Record<string, string>
}

/** The tab Teams saves for a session: the side panel and stage find it by id and code. */
export function tabFor(origin: string, s: Chosen): TabSettings {
  const query = new URLSearchParams({ session: s.id, join: compactCode(s.code) })
  return {
    entityId: s.id,
    contentUrl: `${origin}/teams/side?${query}`,
    websiteUrl: `${origin}/c/${compactCode(s.code)}`,
    suggestedDisplayName: s.title.slice(0, 25) || 'Paja',
  }
}

/** A facilitator link (`…/s/{id}#token=…`), else a join code or its short link. */
export function readLink(text: string): { session: string; token: string } | { code: string } | null {
  const value = text.trim()
  const link = value.match(/\/s\/([^/#?\s]+)\/?(?:\?[^#]*)?#(?:.*&)?token=([^&\s]+)/)
  if (link) return { session: decodeURIComponent(link[1]), token: decodeURIComponent(link[2]) }
  const short = value.match(/\/c\/([^/#?\s]+)/)
  if (value.includes('/') && !short) return null // a link, but neither kind
  const code = compactCode(short ? decodeURIComponent(short[1]) : value)
  return code.length >= 6 ? { code } : null
}

export function TeamsConfig() {
  const { t } = useI18n()
  const teams = useTeams()
  if (teams.state === 'asking') return <TeamsWaiting />
  if (teams.state === 'browser') {
    return (
      <PageFrame title={t('teams.configTitle')}>
        <p class="lead">{t('teams.outside')}</p>
      </PageFrame>
    )
  }
  return <ConfigForm host={teams.host} />
}

function ConfigForm({ host }: { host: TeamsHost }) {
  const { t, lang } = useI18n()
  const [chosen, setChosen] = useState<Chosen | null>(null)
  const [link, setLink] = useState('')
  const [title, setTitle] = useState('')
  const [template, setTemplate] = useState('')
  const [templates, setTemplates] = useState<Template[]>([])
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    document.title = `${t('teams.configTitle')} · Paja`
  }, [lang])
  useEffect(() => {
    call('get', '/api/templates', null)
      .then((r) => setTemplates((Array.isArray(r) ? r : ((r as { templates?: Template[] }).templates ?? [])) as Template[]))
      .catch(() => setTemplates([]))
  }, [])
  useEffect(() => host.offerTab(chosen ? tabFor(location.origin, chosen) : null), [chosen])

  const attempt = async (find: () => Promise<Chosen>, refusal: (status: number) => string) => {
    setBusy(true)
    setError(null)
    try {
      setChosen(await find())
    } catch (err) {
      setChosen(null)
      setError(refusal(statusOf(err)) || t('error.generic', { detail: (err as Error).message }))
    }
    setBusy(false)
  }

  const useExisting = (e: Event) => {
    e.preventDefault()
    const read = readLink(link)
    if (!read) return setError(t('teams.badLink'))
    attempt(
      async () => {
        if ('code' in read) {
          const found = await findCode(read.code)
          return { id: found.session_id, title: found.title, code: read.code }
        }
        const s = await call('get', '/api/sessions/{session_id}', read.token, { session_id: read.session })
        saveFacilitatorToken(s.id, read.token)
        return { id: s.id, title: s.title, code: s.join_code }
      },
      (status) => (status === 401 || status === 403 || status === 404 ? t('teams.badLink') : status === 429 ? t('code.tooMany') : ''),
    )
  }

  const createNew = (e: Event) => {
    e.preventDefault()
    if (!title.trim()) return setError(t('start.needTitle'))
    attempt(
      async () => {
        const body = { title: title.trim(), language: lang, ...(template ? { template } : {}) }
        const s: Schemas['CreatedSession'] = await call('post', '/api/sessions', null, body)
        saveFacilitatorToken(s.id, s.facilitator_token)
        saveFacilitator(s.id, { participant_url: s.participant_url, display_url: s.display_url, join_code: s.join_code, title: s.title })
        return { id: s.id, title: s.title, code: s.join_code ?? '' }
      },
      (status) => (status === 401 ? t('start.needKey') : ''),
    )
  }

  return (
    <PageFrame title={t('teams.configTitle')}>
      <div class="teams-config stack">
        <p class="lead">{t('teams.configLead')}</p>
        <ErrorText error={error} />
        {chosen && (
          <p class="saved" role="status" data-testid="teams-ready">
            {t('teams.ready', { title: chosen.title })}
          </p>
        )}
        <form class="stack choice-panel" onSubmit={useExisting} noValidate>
          <h2>{t('teams.existing')}</h2>
          <div class="field">
            <label for="teams-link">{t('teams.link')}</label>
            <input id="teams-link" value={link} autoComplete="off" spellcheck={false} onInput={(e) => setLink((e.target as HTMLInputElement).value)} />
            <span class="hint">{t('teams.linkHint')}</span>
          </div>
          <div>
            <button type="submit" disabled={busy}>
              {t('teams.use')}
            </button>
          </div>
        </form>
        <form class="stack choice-panel" onSubmit={createNew} noValidate>
          <h2>{t('teams.new')}</h2>
          <div class="field">
            <label for="teams-title">{t('start.sessionTitle')}</label>
            <input id="teams-title" value={title} maxLength={200} autoComplete="off" onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
          </div>
          <div class="field">
            <label for="teams-template">{t('start.template')}</label>
            <select id="teams-template" value={template} onChange={(e) => setTemplate((e.target as HTMLSelectElement).value)}>
              <option value="">{t('start.noTemplate')}</option>
              {templates.map((tpl) => (
                <option value={tpl.id} key={tpl.id}>
                  {tpl.titles[lang] ?? tpl.titles.en ?? tpl.id}
                </option>
              ))}
            </select>
          </div>
          <div>
            <button type="submit" class="primary" disabled={busy}>
              {busy ? t('start.creating') : t('start.create')}
            </button>
          </div>
        </form>
      </div>
    </PageFrame>
  )
}
