import { useEffect, useMemo, useState } from 'preact/hooks'
import { detectLang, I18nContext, type Lang, translate, useT } from '../i18n'
import { savedLang, saveLang } from '../lib/store'
import { LiveRegion } from './common'
import { DisplayPage } from './DisplayPage'
import { FollowupPage } from './programme/FollowupPage'
import { ProgrammeGate } from './programme/ProgrammePage'
import { CodeGate, JoinGate } from './JoinPage'
import { SessionPage } from './SessionPage'
import { StartPage } from './StartPage'
import { TeamsConfig, TeamsSide, TeamsStage } from './teams'

export type Route =
  | { page: 'start' }
  | { page: 'facilitator'; id: string }
  | { page: 'join'; id: string }
  | { page: 'display'; id: string }
  | { page: 'code'; code: string }
  | { page: 'programme'; id: string }
  | { page: 'followup'; id: string; poll: string }
  | { page: 'teams'; surface: 'config' | 'side' | 'stage' }
  | { page: 'missing' }

export function parseRoute(path: string): Route {
  const m = path.match(/^\/([sjd])\/([^/]+)\/?$/)
  if (m) {
    const id = decodeURIComponent(m[2])
    return m[1] === 's' ? { page: 'facilitator', id } : m[1] === 'j' ? { page: 'join', id } : { page: 'display', id }
  }
  const p = path.match(/^\/p\/([^/]+)(?:\/poll\/([^/]+))?\/?$/)
  if (p) {
    const id = decodeURIComponent(p[1])
    return p[2] ? { page: 'followup', id, poll: decodeURIComponent(p[2]) } : { page: 'programme', id }
  }
  const c = path.match(/^\/c\/([^/]+)\/?$/)
  if (c) return { page: 'code', code: decodeURIComponent(c[1]) }
  const teams = path.match(/^\/teams\/(config|side|stage)\/?$/)
  if (teams) return { page: 'teams', surface: teams[1] as 'config' | 'side' | 'stage' }
  if (path === '/' || path === '/index.html') return { page: 'start' }
  return { page: 'missing' }
}

export function App() {
  const [lang, setLangState] = useState<Lang>(() => detectLang(savedLang(), navigator.languages ?? [navigator.language]))
  const route = useMemo(() => parseRoute(location.pathname), [])
  const i18n = useMemo(
    () => ({
      lang,
      setLang: (l: Lang) => {
        saveLang(l)
        setLangState(l)
      },
      t: (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate(lang, key, params),
    }),
    [lang],
  )
  useEffect(() => {
    document.documentElement.lang = lang
  }, [lang])
  return (
    <I18nContext.Provider value={i18n}>
      {route.page === 'start' && <StartPage />}
      {route.page === 'facilitator' && <SessionPage sessionId={route.id} role="facilitator" />}
      {route.page === 'join' && <JoinGate sessionId={route.id} />}
      {route.page === 'display' && <DisplayPage sessionId={route.id} />}
      {route.page === 'code' && <CodeGate code={route.code} />}
      {route.page === 'programme' && <ProgrammeGate id={route.id} />}
      {route.page === 'followup' && <FollowupPage id={route.id} poll={route.poll} />}
      {route.page === 'teams' && route.surface === 'config' && <TeamsConfig />}
      {route.page === 'teams' && route.surface === 'side' && <TeamsSide />}
      {route.page === 'teams' && route.surface === 'stage' && <TeamsStage />}
      {route.page === 'missing' && <Missing />}
      <LiveRegion />
    </I18nContext.Provider>
  )
}

function Missing() {
  const t = useT()
  return (
    <main class="page narrow">
      <h1>{t('missing.title')}</h1>
      <p>
        <a href="/">{t('missing.home')}</a>
      </p>
    </main>
  )
}
