// The Teams pages' view of their host: the context once it is known (its locale sets the
// language, its theme the colours), theme changes followed live, and who this person is
// in the tab's session.

import { useEffect, useState } from 'preact/hooks'
import { useI18n } from '../../i18n'
import { joinWithCode, statusOf } from '../../lib/api'
import { participantCreds, type ParticipantCreds, saveName, saveParticipant, takeFacilitatorToken } from '../../lib/store'
import { applyTheme, langOf, type TeamsContext, type TeamsHost, teamsHost } from '../../lib/teams'

export type Host = { state: 'asking' } | { state: 'browser' } | { state: 'teams'; host: TeamsHost; context: TeamsContext }

export function useTeams(): Host {
  const { setLang } = useI18n()
  const [host, setHost] = useState<Host>({ state: 'asking' })
  useEffect(() => {
    let gone = false
    ;(async () => {
      const found = await teamsHost()
      if (!found) return setHost({ state: 'browser' })
      const context = await found.context()
      if (gone) return
      setLang(langOf(context.locale))
      applyTheme(context.theme)
      found.onThemeChange((theme) => applyTheme(theme))
      setHost({ state: 'teams', host: found, context })
    })().catch(() => !gone && setHost({ state: 'browser' }))
    return () => {
      gone = true
    }
  }, [])
  return host
}

/** The tab's session, from its content URL: `/teams/side?session=ID&join=CODE`. */
export function tabSession(search: string = location.search): { sessionId: string; code: string } | null {
  const params = new URLSearchParams(search)
  const sessionId = params.get('session')
  const code = params.get('join')
  return sessionId && code ? { sessionId, code } : null
}

export type Seat =
  | { role: 'facilitator' }
  | { role: 'participant'; creds: ParticipantCreds }
  | { role: 'none'; problem: 'noName' | 'refused' | 'failed'; status: number }
  | null

/** Who this person is in the session: its facilitator if this device configured the tab
 *  with the facilitator link, a participant who already joined, or one who joins now with
 *  the name Teams gives. */
export function useSeat(sessionId: string, code: string, name: string | null): Seat {
  const [seat, setSeat] = useState<Seat>(null)
  useEffect(() => {
    if (name === null) return
    if (takeFacilitatorToken(sessionId)) return setSeat({ role: 'facilitator' })
    const known = participantCreds(sessionId)
    if (known) return setSeat({ role: 'participant', creds: known })
    if (!name.trim()) return setSeat({ role: 'none', problem: 'noName', status: 0 })
    joinWithCode(code, name.trim(), []).then(
      (joined) => {
        const creds = { participant_id: joined.participant_id, token: joined.token, name: joined.name }
        saveName(name.trim())
        saveParticipant(sessionId, creds)
        setSeat({ role: 'participant', creds })
      },
      (err) => {
        const status = statusOf(err)
        setSeat({ role: 'none', problem: status === 404 ? 'refused' : 'failed', status })
      },
    )
  }, [sessionId, code, name])
  return seat
}
