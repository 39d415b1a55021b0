// What this browser remembers per session (localStorage): who I am in it, and the links
// a facilitator was given when creating it. Tokens stay on this device only.

export interface ParticipantCreds {
  participant_id: string
  token: string
  name: string
}

export interface FacilitatorInfo {
  participant_url?: string
  display_url?: string
  join_code?: string
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
export const facilitatorInfo = (sessionId: string) => get<FacilitatorInfo>(`paja:f:${sessionId}`)
export const saveFacilitator = (sessionId: string, f: FacilitatorInfo) => set(`paja:f:${sessionId}`, f)
export const savedLang = () => get<string>('paja:lang')
export const saveLang = (lang: string) => set('paja:lang', lang)
export const savedName = () => get<string>('paja:name')
export const saveName = (name: string) => set('paja:name', name)
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
