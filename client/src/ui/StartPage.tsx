import { useEffect, useState } from 'preact/hooks'
import { errorText, type Lang, useI18n } from '../i18n'
import { call, type Schemas, statusOf } from '../lib/api'
import { facilitatedSessions, forgetSession, keepBotToken, saveFacilitator } from '../lib/store'
import { announce, ErrorText, PageFrame } from './common'

interface Template {
  id: string
  titles: Record<string, string>
  descriptions: Record<string, string>
  agenda_items: number
  saved?: boolean
}

export function StartPage() {
  const { t, lang } = useI18n()
  const [title, setTitle] = useState('')
  const [template, setTemplate] = useState('')
  const [language, setLanguage] = useState<Lang>(lang)
  const [templates, setTemplates] = useState<Template[]>([])
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [key, setKey] = useState('')
  const [needsKey, setNeedsKey] = useState(false)
  const [uploadError, setUploadError] = useState<string | null>(null)

  useEffect(() => {
    document.title = `${t('start.title')} · Paja`
  }, [lang])
  const listTemplates = () =>
    call('get', '/api/templates', null)
      .then(setTemplates)
      .catch(() => setTemplates([]))
  useEffect(() => {
    listTemplates()
  }, [])

  /** A template file chosen by the facilitator: checked and stored by the server, then
   * listed and chosen here; a bad file's refusal names the field to fix. */
  const upload = async (e: Event) => {
    const input = e.target as HTMLInputElement
    const file = input.files?.[0]
    input.value = ''
    if (!file) return
    setUploadError(null)
    try {
      const added = await call('post', '/api/templates', key || null, JSON.parse(await file.text()))
      await listTemplates()
      setTemplate(added.id ?? '')
      announce(t('start.uploaded', { title: (added.template.titles as Record<string, string> | undefined)?.[lang] ?? file.name }))
    } catch (err) {
      if (statusOf(err) === 401) setNeedsKey(true)
      setUploadError(statusOf(err) === 401 ? t('start.needKey') : errorText(t, err))
    }
  }

  const submit = async (e: Event) => {
    e.preventDefault()
    if (!title.trim()) {
      setError(t('start.needTitle'))
      return
    }
    setBusy(true)
    setError(null)
    try {
      const body: Schemas['NewSession'] = { title: title.trim(), language }
      if (template) body.template = template
      opened(await call('post', '/api/sessions', key || null, body))
    } catch (err) {
      const status = statusOf(err)
      if (status === 401) setNeedsKey(true)
      setError(status === 401 ? t('start.needKey') : errorText(t, err))
      setBusy(false)
    }
  }

  return (
    <PageFrame title={t('start.title')}>
      <MySessions />
      <p class="lead">{t('start.lead')}</p>
      <form onSubmit={submit} class="stack" noValidate>
        <div class="field">
          <label for="title">{t('start.sessionTitle')}</label>
          <input
            id="title"
            value={title}
            maxLength={200}
            required
            autoComplete="off"
            onInput={(e) => setTitle((e.target as HTMLInputElement).value)}
          />
        </div>
        <fieldset class="field">
          <legend>{t('start.template')}</legend>
          <label class="choice">
            <input type="radio" name="template" value="" checked={template === ''} onChange={() => setTemplate('')} />
            <span>
              <strong>{t('start.noTemplate')}</strong>
              <span class="hint">{t('start.noTemplateHint')}</span>
            </span>
          </label>
          {templates.map((tpl) => (
            <label class="choice" key={tpl.id}>
              <input
                type="radio"
                name="template"
                value={tpl.id}
                checked={template === tpl.id}
                onChange={() => setTemplate(tpl.id)}
              />
              <span>
                <strong>{tpl.titles[lang] ?? tpl.titles.en ?? tpl.id}</strong>
                <span class="hint">{tpl.descriptions?.[lang] || (tpl.saved ? t('start.savedTemplate') : '')}</span>
              </span>
            </label>
          ))}
          <label class="upload">
            {t('start.upload')}
            <input type="file" accept="application/json,.json" onChange={upload} />
          </label>
          <ErrorText error={uploadError} />
        </fieldset>
        <div class="field">
          <label for="language">{t('start.language')}</label>
          <select id="language" value={language} onChange={(e) => setLanguage((e.target as HTMLSelectElement).value as Lang)}>
            <option value="fi">Suomi</option>
            <option value="sv">Svenska</option>
            <option value="en">English</option>
          </select>
          <span class="hint">{t('start.languageHint')}</span>
        </div>
        {needsKey && (
          <div class="field">
            <label for="key">{t('start.key')}</label>
            <input id="key" type="password" value={key} onInput={(e) => setKey((e.target as HTMLInputElement).value)} />
          </div>
        )}
        <ErrorText error={error} />
        <div>
          <button type="submit" class="primary big" disabled={busy}>
            {busy ? t('start.creating') : t('start.create')}
          </button>
        </div>
      </form>
      <ImportSession createKey={key} />
    </PageFrame>
  )
}

/** Keep a new session's links in this browser and go to its facilitator page. */
function opened(s: Schemas['CreatedSession']) {
  saveFacilitator(s.id, {
    participant_url: s.participant_url,
    display_url: s.display_url,
    join_code: s.join_code,
    title: s.title,
  })
  keepBotToken(s.id, s.bot_token)
  location.assign(s.facilitator_url.replace(/^https?:\/\/[^/]+/, ''))
}

/** A session file (a JSON export) made into a new session with new links. */
function ImportSession({ createKey }: { createKey: string }) {
  const t = useI18n().t
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const pick = async (e: Event) => {
    const file = (e.target as HTMLInputElement).files?.[0]
    if (!file) return
    setBusy(true)
    setError(null)
    try {
      const body = JSON.parse(await file.text()) as Schemas['SessionExport']
      opened(await call('post', '/api/sessions/import', createKey || null, body))
    } catch (err) {
      const msg = err instanceof SyntaxError ? t('import.notJson') : errorText(t, err)
      setError(msg)
      announce(msg)
      setBusy(false)
    }
  }
  return (
    <section aria-labelledby="import-h" class="import-session">
      <h2 id="import-h">{t('import.title')}</h2>
      <p class="hint">{t('import.hint')}</p>
      <label for="import-file">{t('import.choose')}</label>
      <input id="import-file" type="file" accept="application/json,.json" disabled={busy} onChange={pick} data-testid="import-file" />
      <ErrorText error={error} />
    </section>
  )
}

/** The sessions this browser facilitates, each a link to its facilitator page. */
function MySessions() {
  const t = useI18n().t
  const [mine, setMine] = useState(facilitatedSessions)
  if (mine.length === 0) return null
  const forget = (id: string, title: string) => {
    forgetSession(id)
    setMine(facilitatedSessions())
    announce(t('start.forgotten', { title }))
    document.getElementById('title')?.focus()
  }
  return (
    <section aria-labelledby="mine-h" class="my-sessions" data-testid="my-sessions">
      <h2 id="mine-h">{t('start.mine')}</h2>
      <ul>
        {mine.map(({ id, title }) => {
          const name = title || t('start.untitled')
          return (
            <li key={id}>
              <a href={`/s/${encodeURIComponent(id)}`}>{name}</a>
              <button type="button" class="small" aria-label={t('start.forgetLabel', { title: name })} onClick={() => forget(id, name)}>
                {t('start.forget')}
              </button>
            </li>
          )
        })}
      </ul>
    </section>
  )
}
