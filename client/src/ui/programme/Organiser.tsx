// What an organiser does on the programme's page: import members from a CSV, form the
// groups (preview, move members between groups, then keep), make events, send a follow-up
// poll, read the summary and post it into the latest event (and so to its webhooks). Of a
// group the organiser sees who is in it and that it met, never what it wrote.
import { useEffect, useState } from 'preact/hooks'
import { errorText, useI18n } from '../../i18n'
import { call, type Schemas } from '../../lib/api'
import { ErrorText } from '../common'
import { Markdown } from '../Markdown'
import type { Opened } from './ProgrammePage'

type Props = { programme: string; token: string; opened: Opened; onChange: () => void }
type Seen = Schemas['SeenGroup']

export function OrganiserTools(props: Props) {
  return (
    <div class="stack" data-testid="organiser-tools">
      <Contents {...props} />
      <Members {...props} />
      <Groups {...props} />
      <Events {...props} />
      <Followup {...props} />
      <Summary {...props} />
    </div>
  )
}

function useFailure() {
  const { t } = useI18n()
  const [error, setError] = useState<string | null>(null)
  const attempt = async (fn: () => Promise<unknown>) => {
    setError(null)
    try {
      await fn()
    } catch (err) {
      setError(errorText(t, err))
    }
  }
  return { error, attempt }
}

/** Phases (one a line) and a material to add: what every member sees. */
function Contents({ programme, token, opened, onChange }: Props) {
  const { t, lang } = useI18n()
  const [phases, setPhases] = useState(opened.phases.map((p) => String(p.title)).join('\n'))
  const [title, setTitle] = useState('')
  const [url, setUrl] = useState('')
  const { error, attempt } = useFailure()
  const savePhases = () =>
    attempt(async () => {
      const titles = phases.split('\n').map((l) => l.trim()).filter(Boolean)
      await call('patch', '/api/programmes/{programme_id}', token, { programme_id: programme }, { phases: titles.map((title) => ({ title })) })
      onChange()
    })
  const addMaterial = () =>
    attempt(async () => {
      const material = { title: title.trim(), language: lang, url: url.trim() || null }
      await call('patch', '/api/programmes/{programme_id}', token, { programme_id: programme }, { materials: [...(opened.materials as never[]), material] })
      setTitle('')
      setUrl('')
      onChange()
    })
  return (
    <section aria-labelledby="contents-h">
      <h2 id="contents-h">{t('prog.contents')}</h2>
      <div class="field">
        <label for="prog-phases">{t('prog.phasesEdit')}</label>
        <textarea id="prog-phases" rows={5} value={phases} onInput={(e) => setPhases((e.target as HTMLTextAreaElement).value)} />
      </div>
      <button type="button" onClick={savePhases}>
        {t('save')}
      </button>
      <div class="buttons">
        <label>
          {t('prog.materialTitle')} <input value={title} maxLength={200} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          {t('prog.materialUrl')} <input type="url" value={url} maxLength={2000} onInput={(e) => setUrl((e.target as HTMLInputElement).value)} />
        </label>
        <button type="button" onClick={addMaterial} disabled={!title.trim()}>
          {t('prog.addMaterial')}
        </button>
      </div>
      <ErrorText error={error} />
    </section>
  )
}

function Members({ programme, token, opened, onChange }: Props) {
  const { t } = useI18n()
  const [csv, setCsv] = useState('')
  const [links, setLinks] = useState<Array<{ name: string; email?: string | null; url: string }>>([])
  const { error, attempt } = useFailure()
  const importCsv = () =>
    attempt(async () => {
      const added = await call('post', '/api/programmes/{programme_id}/members/csv', token, { programme_id: programme }, { csv })
      setLinks(added.members)
      setCsv('')
      onChange()
    })
  return (
    <section aria-labelledby="members-h">
      <h2 id="members-h">{t('prog.members', { count: opened.members.length })}</h2>
      <div class="field">
        <label for="members-csv">{t('prog.csv')}</label>
        <textarea id="members-csv" rows={4} value={csv} placeholder="name,organisation,kind,email" onInput={(e) => setCsv((e.target as HTMLTextAreaElement).value)} />
      </div>
      <button type="button" onClick={importCsv} disabled={!csv.trim()} data-testid="import-csv">
        {t('prog.import')}
      </button>
      <ErrorText error={error} />
      {links.length > 0 && (
        <details open>
          <summary>{t('prog.links', { count: links.length })}</summary>
          <ul data-testid="member-links">
            {links.map((l) => (
              <li key={l.url}>
                {l.name} {l.email ? `<${l.email}>` : ''}: <code>{l.url}</code>
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  )
}

function Groups({ programme, token, opened, onChange }: Props) {
  const { t } = useI18n()
  const [strategy, setStrategy] = useState<'keep_apart' | 'balanced' | 'random'>('keep_apart')
  const [size, setSize] = useState(3)
  const [draft, setDraft] = useState<Schemas['Draft'] | null>(null)
  const [seen, setSeen] = useState<Seen[]>([])
  const { error, attempt } = useFailure()
  const formed = ((opened as { groups?: unknown[] }).groups ?? []).length > 0
  const name = (id: string) => opened.members.find((m) => m.id === id)
  useEffect(() => {
    if (formed) void call('get', '/api/programmes/{programme_id}/groups', token, { programme_id: programme }).then((g) => setSeen(g.groups))
  }, [formed, opened])
  const preview = () =>
    attempt(async () => setDraft(await call('post', '/api/programmes/{programme_id}/groups/draft', token, { programme_id: programme }, { strategy, group_size: size })))
  const move = (member: string, group: number) =>
    attempt(async () => setDraft(await call('post', '/api/programmes/{programme_id}/groups/draft/moves', token, { programme_id: programme }, { member, group })))
  const keep = () =>
    attempt(async () => {
      await call('post', '/api/programmes/{programme_id}/groups', token, { programme_id: programme }, {})
      setDraft(null)
      onChange()
    })
  return (
    <section aria-labelledby="groups-h">
      <h2 id="groups-h">{t('prog.groups')}</h2>
      {!formed && (
        <div class="buttons">
          <label>
            {t('prog.rule')}{' '}
            <select value={strategy} onChange={(e) => setStrategy((e.target as HTMLSelectElement).value as typeof strategy)}>
              <option value="keep_apart">{t('prog.rule.keepApart')}</option>
              <option value="balanced">{t('prog.rule.balanced')}</option>
              <option value="random">{t('prog.rule.random')}</option>
            </select>
          </label>
          <label>
            {t('prog.size')} <input type="number" min={2} max={20} value={size} onInput={(e) => setSize(Number((e.target as HTMLInputElement).value))} />
          </label>
          <button type="button" onClick={preview} data-testid="preview-groups">
            {t('prog.preview')}
          </button>
        </div>
      )}
      {draft && (
        <div data-testid="groups-draft">
          <p class="hint">{draft.same_organisation_pairs ? t('prog.sameOrg', { count: draft.same_organisation_pairs }) : t('prog.apart')}</p>
          <ol class="draft-groups">
            {draft.groups.map((g, n) => (
              <DraftGroup key={n} n={n} group={g} groups={draft.groups.length} member={name} onMove={move} />
            ))}
          </ol>
          <button type="button" class="primary" onClick={keep} data-testid="keep-groups">
            {t('prog.keep')}
          </button>
        </div>
      )}
      {formed && (
        <table class="groups" data-testid="groups-seen">
          <thead>
            <tr>
              <th scope="col">{t('prog.group')}</th>
              <th scope="col">{t('prog.people')}</th>
              <th scope="col">{t('prog.meetings')}</th>
              <th scope="col">{t('prog.notes')}</th>
            </tr>
          </thead>
          <tbody>
            {seen.map((g) => (
              <tr key={g.id} data-testid={`group-${g.name}`}>
                <td>{g.name}</td>
                <td>{g.members.map((m) => name(m)?.name ?? m).join(', ')}</td>
                <td>{g.meetings.length}</td>
                <td>{g.notes}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorText error={error} />
    </section>
  )
}

type Member = Opened['members'][number]

/** One group of the preview: who is in it (organisation and kind shown, since the rules
 * read them), a warning when two share an organisation, and a move to another group for
 * each member; the server holds the preview, so keeping it keeps the moves. */
function DraftGroup(props: { n: number; group: string[]; groups: number; member: (id: string) => Member | undefined; onMove: (member: string, group: number) => void }) {
  const { t } = useI18n()
  const { n, group, groups, member } = props
  const orgs = group.map((m) => member(m)?.organisation).filter(Boolean)
  const shared = orgs.length !== new Set(orgs).size
  return (
    <li data-testid={`draft-group-${n + 1}`}>
      <h3>{t('prog.groupN', { n: n + 1 })}</h3>
      {shared && (
        <p class="warn-text" role="alert" data-testid="same-org-warning">
          {t('prog.sameOrgInGroup')}
        </p>
      )}
      <ul>
        {group.map((id) => {
          const m = member(id)
          return (
            <li key={id} class="row">
              <span>
                {m?.name ?? id} <span class="hint">({[m?.organisation, m?.kind].filter(Boolean).join(', ')})</span>
              </span>
              <select
                aria-label={t('prog.moveTo', { name: m?.name ?? id })}
                value={String(n)}
                onChange={(e) => props.onMove(id, Number((e.target as HTMLSelectElement).value))}
                data-testid={`move-${m?.name ?? id}`}
              >
                {Array.from({ length: groups }, (_, k) => (
                  <option key={k} value={String(k)}>
                    {t('prog.groupN', { n: k + 1 })}
                  </option>
                ))}
              </select>
            </li>
          )
        })}
      </ul>
    </li>
  )
}

function Events({ programme, token, onChange }: Props) {
  const { t, lang } = useI18n()
  const [title, setTitle] = useState('')
  const [date, setDate] = useState('')
  const [template, setTemplate] = useState('')
  const [templates, setTemplates] = useState<Schemas['Template'][]>([])
  const { error, attempt } = useFailure()
  useEffect(() => {
    void call('get', '/api/templates', null).then((all) => setTemplates(all))
  }, [])
  const create = () =>
    attempt(async () => {
      await call('post', '/api/programmes/{programme_id}/events', token, { programme_id: programme }, { title: title.trim(), date: date.trim() || null, template: template || null })
      setTitle('')
      setDate('')
      onChange()
    })
  return (
    <section aria-labelledby="events-h">
      <h2 id="events-h">{t('prog.newEvent')}</h2>
      <div class="buttons">
        <label>
          {t('prog.eventTitle')} <input value={title} maxLength={200} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} data-testid="event-title" />
        </label>
        <label>
          {t('prog.date')} <input value={date} maxLength={32} onInput={(e) => setDate((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          {t('start.template')}{' '}
          <select value={template} onChange={(e) => setTemplate((e.target as HTMLSelectElement).value)}>
            <option value="">{t('start.noTemplate')}</option>
            {templates.map((tpl) => (
              <option key={tpl.id} value={tpl.id}>
                {tpl.titles[lang] ?? tpl.id}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="primary" onClick={create} disabled={!title.trim()} data-testid="create-event">
          {t('prog.createEvent')}
        </button>
      </div>
      <ErrorText error={error} />
    </section>
  )
}

function Followup({ programme, token, onChange }: Props) {
  const { t } = useI18n()
  const [links, setLinks] = useState<Schemas['PollLink'][]>([])
  const { error, attempt } = useFailure()
  const send = (preset: 'heard' | 'use') =>
    attempt(async () => {
      const made = await call('post', '/api/programmes/{programme_id}/followups', token, { programme_id: programme }, { preset })
      setLinks(made.links)
      onChange()
    })
  return (
    <section aria-labelledby="followup-h">
      <h2 id="followup-h">{t('prog.followup')}</h2>
      <div class="buttons">
        <button type="button" onClick={() => send('heard')} data-testid="followup-heard">
          {t('prog.followupHeard')}
        </button>
        <button type="button" onClick={() => send('use')}>
          {t('prog.followupUse')}
        </button>
      </div>
      {links.length > 0 && (
        <ul data-testid="followup-links">
          {links.map((l) => (
            <li key={l.url}>
              {l.name}: <code>{l.url}</code>
            </li>
          ))}
        </ul>
      )}
      <ErrorText error={error} />
    </section>
  )
}

function Summary({ programme, token, opened }: Props) {
  const { t, lang } = useI18n()
  const [text, setText] = useState<string | null>(null)
  const [posted, setPosted] = useState<string | null>(null)
  const { error, attempt } = useFailure()
  const post = () =>
    attempt(async () => {
      setPosted(null)
      await call('post', '/api/programmes/{programme_id}/summary/post', token, { programme_id: programme }, { language: lang })
      const latest = [...opened.timeline].sort((a, b) => Number(b.created_at) - Number(a.created_at))[0]
      setPosted(String(latest?.title ?? ''))
    })
  const load = () =>
    attempt(async () => {
      const res = await fetch(`/api/programmes/${encodeURIComponent(programme)}/summary?format=markdown&language=${lang}`, {
        headers: { Authorization: `Bearer ${token}` },
      })
      if (!res.ok) throw new Error(res.statusText)
      setText(await res.text())
    })
  return (
    <section aria-labelledby="summary-h">
      <h2 id="summary-h">{t('prog.summary')}</h2>
      <div class="buttons">
        <button type="button" onClick={load} data-testid="load-summary">
          {t('prog.showSummary')}
        </button>
        {opened.timeline.length > 0 && (
          <button type="button" onClick={post} data-testid="post-summary">
            {t('prog.postSummary')}
          </button>
        )}
      </div>
      {posted !== null && (
        <p class="saved" role="status" data-testid="summary-posted">
          {t('prog.summaryPosted', { event: posted })}
        </p>
      )}
      {text !== null && (
        <div data-testid="programme-summary">
          <Markdown source={text} level={3} />
        </div>
      )}
      <ErrorText error={error} />
    </section>
  )
}
