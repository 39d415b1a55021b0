// A programme's page: `/p/new` creates one; a personal link `/p/{id}#token=…` opens it for
// its member or organiser. Everyone sees the phases, the timeline and the materials, and
// opens each event from here without joining it again; a member sees their own group's
// space (its agreed times and themes, a live session any member starts); an organiser
// gets the tools of Organiser.tsx.
import { useEffect, useState } from 'preact/hooks'
import { errorText, type Lang, useI18n } from '../../i18n'
import { call, type Schemas } from '../../lib/api'
import { saveFacilitatorToken, saveParticipant } from '../../lib/store'
import { ErrorText, PageFrame } from '../common'
import { Markdown } from '../Markdown'
import { OrganiserTools } from './Organiser'
import { programmeToken } from './token'

export type Opened = Schemas['Me']
type Group = { id: string; name: string; members: string[]; session_id: string; times: string[]; themes: string[]; meetings: number[] }

export function ProgrammeGate({ id }: { id: string }) {
  if (id === 'new') return <CreateProgramme />
  return <ProgrammePage id={id} />
}

function CreateProgramme() {
  const { t } = useI18n()
  const [title, setTitle] = useState('')
  const [language, setLanguage] = useState<Lang>('fi')
  const [error, setError] = useState<string | null>(null)
  const submit = async (e: Event) => {
    e.preventDefault()
    try {
      const made = await call('post', '/api/programmes', null, { title: title.trim(), language })
      location.assign(`/p/${made.id}#token=${made.organiser_token}`)
    } catch (err) {
      setError(errorText(t, err))
    }
  }
  return (
    <PageFrame title={t('prog.create')}>
      <form class="stack" onSubmit={submit} noValidate>
        <div class="field">
          <label for="prog-title">{t('prog.title')}</label>
          <input id="prog-title" value={title} maxLength={200} required onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="prog-lang">{t('start.language')}</label>
          <select id="prog-lang" value={language} onChange={(e) => setLanguage((e.target as HTMLSelectElement).value as Lang)}>
            <option value="fi">Suomi</option>
            <option value="sv">Svenska</option>
            <option value="en">English</option>
          </select>
        </div>
        <ErrorText error={error} />
        <div>
          <button type="submit" class="primary big" disabled={!title.trim()}>
            {t('prog.createButton')}
          </button>
        </div>
      </form>
    </PageFrame>
  )
}

function ProgrammePage({ id }: { id: string }) {
  const { t } = useI18n()
  const [token] = useState(() => programmeToken(id))
  const [opened, setOpened] = useState<Opened | null>(null)
  const [error, setError] = useState<string | null>(null)
  const reload = () =>
    call('post', '/api/programmes/{programme_id}/me', token, { programme_id: id })
      .then((o) => {
        setOpened(o)
        document.title = `${o.title} · Paja`
      })
      .catch((err) => setError(errorText(t, err)))
  useEffect(() => {
    if (token) void reload()
    else setError(t('prog.badLink'))
  }, [id])
  if (!opened || !token) {
    return (
      <PageFrame title={t('prog.page')}>
        <ErrorText error={error} />
      </PageFrame>
    )
  }
  const me = opened.members.find((m) => m.id === opened.me)
  /** Open a session of the programme as oneself: no joining, the token is the member's. */
  const open = (sessionId: string) => {
    const sessionToken = opened.sessions[sessionId]
    if (opened.organiser) {
      saveFacilitatorToken(sessionId, sessionToken)
      return `/s/${sessionId}`
    }
    saveParticipant(sessionId, { participant_id: opened.me ?? '', token: sessionToken, name: me?.name ?? '' })
    return `/j/${sessionId}`
  }
  const group = (opened as { group?: Group }).group
  return (
    <PageFrame title={opened.title}>
      <ErrorText error={error} />
      <section aria-labelledby="phases-h">
        <h2 id="phases-h">{t('prog.phases')}</h2>
        <ol class="phases" data-testid="phases">
          {opened.phases.map((p, n) => (
            <li key={n}>{String(p.title)}</li>
          ))}
        </ol>
      </section>
      <section aria-labelledby="timeline-h">
        <h2 id="timeline-h">{t('prog.timeline')}</h2>
        {opened.timeline.length === 0 && <p class="hint">{t('prog.noEvents')}</p>}
        <ul class="timeline" data-testid="timeline">
          {opened.timeline.map((e) => (
            <li key={String(e.session_id)}>
              <strong>{String(e.title)}</strong> {e.date ? <span class="hint">{String(e.date)}</span> : null}{' '}
              {isPast(e.date) && <span class="hint">{t('prog.past')}</span>}{' '}
              <a href={open(String(e.session_id))} data-testid={`open-event-${String(e.title)}`}>
                {t('prog.openEvent')}
              </a>
              <EventSummary programme={id} token={token} sessionId={String(e.session_id)} />
            </li>
          ))}
        </ul>
      </section>
      {opened.materials.length > 0 && (
        <section aria-labelledby="materials-h">
          <h2 id="materials-h">{t('prog.materials')}</h2>
          <ul>
            {opened.materials.map((m, n) => (
              <li key={n} lang={String(m.language)}>
                {m.url ? <a href={String(m.url)}>{String(m.title)}</a> : <strong>{String(m.title)}</strong>} {m.body ? <span>{String(m.body)}</span> : null}
              </li>
            ))}
          </ul>
        </section>
      )}
      {group && <GroupSpace programme={id} token={token} group={group} opened={opened} open={open} onChange={reload} />}
      {opened.organiser && <OrganiserTools programme={id} token={token} opened={opened} onChange={reload} />}
    </PageFrame>
  )
}

/** An event whose date (as the organiser wrote it, e.g. 2026-10-01) is before today. */
const isPast = (date: unknown) => typeof date === 'string' && /^\d{4}-\d{2}-\d{2}/.test(date) && date.slice(0, 10) < new Date().toISOString().slice(0, 10)

function EventSummary(props: { programme: string; token: string; sessionId: string }) {
  const { t, lang } = useI18n()
  const [text, setText] = useState<string | null>(null)
  const load = async (e: Event) => {
    if (!(e.currentTarget as HTMLDetailsElement).open || text !== null) return
    const res = await fetch(`/api/programmes/${encodeURIComponent(props.programme)}/events/${encodeURIComponent(props.sessionId)}/summary?language=${lang}`, {
      headers: { Authorization: `Bearer ${props.token}` },
    })
    setText(res.ok ? await res.text() : '')
  }
  return (
    <details onToggle={load}>
      <summary>{t('prog.eventSummary')}</summary>
      {text && <Markdown source={text} level={4} />}
    </details>
  )
}

function GroupSpace(props: { programme: string; token: string; group: Group; opened: Opened; open: (s: string) => string; onChange: () => void }) {
  const { t } = useI18n()
  const { group, opened } = props
  const [times, setTimes] = useState(group.times.join('\n'))
  const [themes, setThemes] = useState(group.themes.join('\n'))
  const [error, setError] = useState<string | null>(null)
  const names = group.members.map((m) => opened.members.find((x) => x.id === m)?.name ?? m)
  const lines = (s: string) => s.split('\n').map((l) => l.trim()).filter(Boolean)
  const save = async () => {
    try {
      await call('put', '/api/programmes/{programme_id}/groups/{group_id}/agreement', props.token, { programme_id: props.programme, group_id: group.id }, { times: lines(times), themes: lines(themes) })
      props.onChange()
    } catch (err) {
      setError(errorText(t, err))
    }
  }
  const live = async () => {
    try {
      await call('post', '/api/programmes/{programme_id}/groups/{group_id}/live', props.token, { programme_id: props.programme, group_id: group.id }, {})
      location.assign(props.open(group.session_id))
    } catch (err) {
      setError(errorText(t, err))
    }
  }
  return (
    <section aria-labelledby="group-h" data-testid="group-space">
      <h2 id="group-h">{t('prog.yourGroup', { name: group.name })}</h2>
      <p>{names.join(', ')}</p>
      <p class="hint">{t('prog.groupPrivate')}</p>
      <div class="field">
        <label for="group-times">{t('prog.times')}</label>
        <textarea id="group-times" rows={2} value={times} onInput={(e) => setTimes((e.target as HTMLTextAreaElement).value)} />
      </div>
      <div class="field">
        <label for="group-themes">{t('prog.themes')}</label>
        <textarea id="group-themes" rows={2} value={themes} onInput={(e) => setThemes((e.target as HTMLTextAreaElement).value)} />
      </div>
      <div class="row">
        <button type="button" onClick={save}>
          {t('save')}
        </button>
        <button type="button" class="primary" onClick={live} data-testid="start-live">
          {t('prog.startLive')}
        </button>
        <a href={props.open(group.session_id)} data-testid="open-space">
          {t('prog.openSpace')}
        </a>
      </div>
      <p class="hint">{t('prog.met', { count: group.meetings.length })}</p>
      <ErrorText error={error} />
    </section>
  )
}
