// What this browser remembers per session (localStorage): who I am in it, and the links
// a facilitator was given when creating it (or re-issued since). Tokens stay on this device only;
// a bot token is not remembered at all: it is shown once (takeBotToken).

export interface ParticipantCreds {
  participant_id: string
  token: string
  name: string
  /** They pressed Leave: kept so that joining again is the same person, not a new one. */
  left?: boolean
}

export interface FacilitatorInfo {
  participant_url?: string
  display_url?: string
  join_code?: string // the code `participant_url` was given with: another one means it is stale
  title?: string
}

const get = <T>(key: string): T | null => {
  try {
    const raw = localStorage.getItem(key)
    return raw ? (JSON.parse(raw) as T) : null
  } catch {
    return null
  }
}

const set = (key: string, value: unknown) => {
  try {
    if (value === null) localStorage.removeItem(key)
    else localStorage.setItem(key, JSON.stringify(value))
  } catch {
    // private mode or full storage: the session still works, it just won't be remembered
  }
}

export const participantCreds = (sessionId: string) => get<ParticipantCreds>(`paja:p:${sessionId}`)
export const saveParticipant = (sessionId: string, c: ParticipantCreds | null) => set(`paja:p:${sessionId}`, c)
export const facilitatorInfo = (sessionId: string) => withoutBotToken(get<FacilitatorInfo>(`paja:f:${sessionId}`))
export const saveFacilitator = (sessionId: string, f: FacilitatorInfo) => set(`paja:f:${sessionId}`, withoutBotToken(f))
/** Earlier versions kept the bot token with the links: it is dropped wherever it is met. */
function withoutBotToken<T extends FacilitatorInfo | null>(info: T): T {
  if (info === null) return info
  const { bot_token: _dropped, ...rest } = info as T & { bot_token?: string }
  return rest as T
}
/** A new session's bot token, kept for this tab only until its facilitator page takes it: the
 *  bot token is shown once, since anyone who reads it can post summaries and read them. */
export const keepBotToken = (sessionId: string, token: string) => {
  try {
    sessionStorage.setItem(`paja:bot:${sessionId}`, token)
  } catch {
    // storage refused: the facilitator makes a new bot token when they need one
  }
}
export function takeBotToken(sessionId: string): string | null {
  try {
    const token = sessionStorage.getItem(`paja:bot:${sessionId}`)
    sessionStorage.removeItem(`paja:bot:${sessionId}`)
    return token
  } catch {
    return null
  }
}
/** Keep a facilitator token on this device, as opening the facilitator link does
 *  (the Teams configuration page takes the link pasted instead). */
export const saveFacilitatorToken = (sessionId: string, token: string) => set(`paja:ft:${sessionId}`, token)
export const savedLang = () => get<string>('paja:lang')
export const saveLang = (lang: string) => set('paja:lang', lang)
export const savedName = () => get<string>('paja:name')
export const saveName = (name: string) => set('paja:name', name)
/** Whether this browser plays the "time's up" chime for a kind of screen: on by default for
 *  facilitators and the Lab display, off for participants (a room full of phones). */
export type SoundRole = 'facilitator' | 'participant' | 'display'
export const soundOn = (role: SoundRole) => get<boolean>(`paja:sound:${role}`) ?? role !== 'participant'
export const saveSound = (role: SoundRole, on: boolean) => set(`paja:sound:${role}`, on)
export const answeredPolls = (sessionId: string) => new Set(get<string[]>(`paja:polls:${sessionId}`) ?? [])
export const saveAnsweredPoll = (sessionId: string, pollId: string) =>
  set(`paja:polls:${sessionId}`, [...answeredPolls(sessionId), pollId])

/** A stable id for this browser, for presence of people who are not in the roster. */
export function deviceId(): string {
  let id = get<string>('paja:device')
  if (!id) {
    id = `d-${Math.random().toString(36).slice(2, 10)}`
    set('paja:device', id)
  }
  return id
}

/** Values from the fragment: `#token=...&join=...` (never sent to the server by the browser). */
export function hashParams(hash: string = location.hash): URLSearchParams {
  return new URLSearchParams(hash.replace(/^#/, ''))
}

/**
 * The facilitator's token of a session. The facilitator link carries it in its fragment
 * (`#token=`); on first load it is kept in this browser, so a reload or the bare page
 * (`/s/{id}`) signs the facilitator in again, and the fragment is cleared so the token
 * leaves the address bar, the history and screenshots of the page. Where nothing can be
 * stored (storage refused), the fragment stays: it is then the only copy.
 */
export function takeFacilitatorToken(sessionId: string): string | null {
  const key = `paja:ft:${sessionId}`
  const params = hashParams()
  const fromLink = params.get('token')
  if (!fromLink) return get<string>(key)
  set(key, fromLink)
  if (get<string>(key) === fromLink) {
    params.delete('token')
    const rest = params.toString()
    history.replaceState(history.state, '', location.pathname + location.search + (rest ? `#${rest}` : ''))
  }
  return fromLink
}

/** The sessions this browser holds a facilitator token for, with the titles it knows. */
export function facilitatedSessions(): Array<{ id: string; title: string | null }> {
  const found: Array<{ id: string; title: string | null }> = []
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i)
      if (!key?.startsWith('paja:ft:')) continue
      const id = key.slice('paja:ft:'.length)
      found.push({ id, title: facilitatorInfo(id)?.title ?? null })
    }
  } catch {
    // storage refused: nothing is remembered
  }
  return found.sort((a, b) => (a.title ?? a.id).localeCompare(b.title ?? b.id))
}

/** Forget a session in this browser: its facilitator token and links (not the session). */
export function forgetSession(sessionId: string) {
  set(`paja:ft:${sessionId}`, null)
  set(`paja:f:${sessionId}`, null)
}

export const savedDisplayLang = () => get<string>('paja:display-lang')
export const saveDisplayLang = (lang: string) => set('paja:display-lang', lang)
