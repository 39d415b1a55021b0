import { useEffect, useState } from 'preact/hooks'
import { useI18n } from '../i18n'
import { joinSession } from '../lib/api'
import { hashParams, participantCreds, type ParticipantCreds, savedName, saveName, saveParticipant } from '../lib/store'
import { ErrorText, LanguageSwitch } from './common'
import { SessionPage } from './SessionPage'

/** The participant link: the board if this browser already joined, else the join form. */
export function JoinGate({ sessionId }: { sessionId: string }) {
  const [creds, setCreds] = useState<ParticipantCreds | null>(() => participantCreds(sessionId))
  if (creds) {
    return (
      <SessionPage
        sessionId={sessionId}
        role="participant"
        participant={creds}
        onLeave={() => {
          saveParticipant(sessionId, null)
          setCreds(null)
        }}
      />
    )
  }
  return <JoinPage sessionId={sessionId} onJoined={setCreds} />
}

/** What the facilitator asked for: `#join=SECRET&ask=org,kind` (see the share panel). */
export function askedFields(hash: string): { org: boolean; kind: boolean } {
  const ask = (hashParams(hash).get('ask') ?? '').split(',')
  return { org: ask.includes('org'), kind: ask.includes('kind') }
}

export function JoinPage(props: { sessionId: string; onJoined: (c: ParticipantCreds) => void }) {
  const { t, lang } = useI18n()
  const secret = hashParams().get('join')
  const ask = askedFields(location.hash)
  const [name, setName] = useState(savedName() ?? '')
  const [org, setOrg] = useState('')
  const [kind, setKind] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    document.title = `${t('join.title')} · Paja`
  }, [lang])

  const submit = async (e: Event) => {
    e.preventDefault()
    if (!name.trim()) {
      setError(t('join.needName'))
      return
    }
    if (!secret) {
      setError(t('join.badLink'))
      return
    }
    setBusy(true)
    setError(null)
    const tags: string[] = []
    if (org.trim()) tags.push(`org:${org.trim().slice(0, 60)}`)
    if (kind) tags.push(`kind:${kind}`)
    try {
      const joined = await joinSession(props.sessionId, secret, name.trim(), tags)
      const creds = { participant_id: joined.participant_id, token: joined.token, name: joined.name }
      saveName(name.trim())
      saveParticipant(props.sessionId, creds)
      props.onJoined(creds)
    } catch (err) {
      const status = (err as { status?: number }).status
      setError(status === 401 || status === 404 ? t('join.badLink') : t('error.generic', { detail: (err as Error).message }))
      setBusy(false)
    }
  }

  return (
    <div class="page-wrap">
      <header class="page-head">
        <span class="brand">Paja</span>
        <LanguageSwitch />
      </header>
      <main class="page narrow" id="main">
        <h1>{t('join.title')}</h1>
        <p class="lead">{t('join.lead')}</p>
        {!secret && <ErrorText error={t('join.badLink')} />}
        <form onSubmit={submit} class="stack" noValidate>
          <div class="field">
            <label for="name">{t('join.name')}</label>
            <input
              id="name"
              value={name}
              maxLength={80}
              required
              autoComplete="name"
              onInput={(e) => setName((e.target as HTMLInputElement).value)}
            />
            <span class="hint">{t('join.nameHint')}</span>
          </div>
          {ask.org && (
            <div class="field">
              <label for="org">{t('join.org')}</label>
              <input
                id="org"
                value={org}
                maxLength={60}
                autoComplete="organization"
                onInput={(e) => setOrg((e.target as HTMLInputElement).value)}
              />
            </div>
          )}
          {ask.kind && (
            <fieldset class="field">
              <legend>{t('join.kind')}</legend>
              {(['supervisor', 'newcomer'] as const).map((k) => (
                <label class="choice" key={k}>
                  <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => setKind(k)} />
                  <span>{t(k === 'supervisor' ? 'kind.supervisor' : 'kind.newcomer')}</span>
                </label>
              ))}
            </fieldset>
          )}
          <ErrorText error={error} />
          <div>
            <button type="submit" class="primary big" disabled={busy}>
              {busy ? t('join.joining') : t('join.submit')}
            </button>
          </div>
        </form>
        <p class="hint">{t('join.privacy')}</p>
      </main>
    </div>
  )
}
