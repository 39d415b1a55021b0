// A programme's personal token: from the link's fragment on first load, then kept in this
// browser (the fragment is cleared, so the token leaves the address bar and history).
import { hashParams } from '../../lib/store'

export function programmeToken(programmeId: string, key = `paja:prog:${programmeId}`): string | null {
  const params = hashParams()
  const fromLink = params.get('token')
  if (!fromLink) {
    try {
      return localStorage.getItem(key)
    } catch {
      return null
    }
  }
  try {
    localStorage.setItem(key, fromLink)
    params.delete('token')
    const rest = params.toString()
    history.replaceState(history.state, '', location.pathname + location.search + (rest ? `#${rest}` : ''))
  } catch {
    // nothing can be stored: the fragment stays, the only copy
  }
  return fromLink
}
