import type { VNode } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { errorText, type Key, useI18n } from '../i18n'
import { type CodeTarget, compactCode, findCode, type Joined, joinSession, joinWithCode, statusOf } from '../lib/api'
import { hashParams, participantCreds, type ParticipantCreds, savedName, saveName, saveParticipant } from '../lib/store'
import { ErrorText, PageFrame } from './common'
import { SessionPage } from './SessionPage'

/** The board if this browser already joined the session, else the way to join it. Someone
 *  who left comes back with the token they had: the same person in the roster, not a second
 *  one the facilitator would see as a ghost. */
function Seat(props: { sessionId: string; form: (onJoined: (c: ParticipantCreds) => void) => VNode }) {
  const { t } = useI18n()
  const [creds, setCreds] = useState<ParticipantCreds | null>(() => participantCreds(props.sessionId))
  const keep = (c: ParticipantCreds) => {
    saveParticipant(props.sessionId, c)
    setCreds(c)
  }
  if (creds?.left) {
    return (
      <PageFrame title={t('left.title')}>
        <button type="button" class="primary big" onClick={() => keep({ ...creds, left: false })} data-testid="rejoin">
          {t('left.rejoin', { name: creds.name })}
        </button>
      </PageFrame>
    )
  }
  if (creds) {
    return <SessionPage sessionId={props.sessionId} role="participant" participant={creds} onLeave={() => keep({ ...creds, left: true })} />
  }
  return props.form(setCreds)
}

/** The participant link: `/j/{id}#join=SECRET`. */
export function JoinGate({ sessionId }: { sessionId: string }) {
  const secret = hashParams().get('join')
  return (
    <Seat
      sessionId={sessionId}
      form={(onJoined) => (
        <JoinPage
          problem={secret ? null : 'join.badLink'}
          join={(name, tags) => joinSession(sessionId, secret ?? '', name, tags)}
          refusal={(status) => (status === 401 || status === 404 ? 'join.badLink' : null)}
          onJoined={onJoined}
        />
      )}
    />
  )
}

/** What a refused join code means to the person who typed it. */
const codeRefusal = (status: number): Key | null =>
  status === 404 ? 'code.bad' : status === 429 ? 'code.tooMany' : null

/** The join code's short link, `/c/{code}`: find the session, then join it like the
 *  participant link does (a browser that already joined goes straight to the board). */
export function CodeGate({ code }: { code: string }) {
  const { t, lang } = useI18n()
  const [target, setTarget] = useState<CodeTarget | null>(null)
  const [failed, setFailed] = useState<{ key: Key | null; detail: string } | null>(null)
  useEffect(() => {
    findCode(code)
      .then(setTarget)
      .catch((err) => setFailed({ key: codeRefusal(statusOf(err)), detail: (err as Error).message }))
  }, [code])
  useEffect(() => {
    if (!target) document.title = `${t('join.title')} · Paja`
  }, [lang, target])

  if (target) {
    return (
      <Seat
        sessionId={target.session_id}
        form={(onJoined) => (
          <JoinPage
            intro={t('code.session', { title: target.title })}
            problem={null}
            join={(name, tags) => joinWithCode(code, name, tags)}
            refusal={codeRefusal}
            onJoined={onJoined}
          />
        )}
      />
    )
  }
  return (
    <PageFrame title={t('join.title')}>
      {!failed && <p class="lead">{t('code.finding')}</p>}
      {failed && (
        <>
          <ErrorText error={failed.key ? t(failed.key) : t('error.generic', { detail: failed.detail })} />
          <OtherCode />
        </>
      )}
    </PageFrame>
  )
}

/** Type the code again (a misread letter is the usual reason a code fails). */
function OtherCode() {
  const { t } = useI18n()
  const [value, setValue] = useState('')
  const clean = compactCode(value).toUpperCase()
  return (
    <form
      class="stack"
      onSubmit={(e) => {
        e.preventDefault()
        if (clean) location.assign(`/c/${clean}`)
      }}
    >
      <div class="field">
        <label for="code">{t('share.code')}</label>
        <input
          id="code"
          value={value}
          maxLength={12}
          autoComplete="off"
          autoCapitalize="characters"
          spellcheck={false}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
        />
        <span class="hint">{t('code.hint')}</span>
      </div>
      <div>
        <button type="submit" class="primary" disabled={!clean}>
          {t('code.try')}
        </button>
      </div>
    </form>
  )
}

/** What the facilitator asked for: `#join=SECRET&ask=org,kind` (see the share panel). */
export function askedFields(hash: string): { org: boolean; kind: boolean } {
  const ask = (hashParams(hash).get('ask') ?? '').split(',')
  return { org: ask.includes('org'), kind: ask.includes('kind') }
}

/** The join form: a display name, and the tags the link asks for. */
export function JoinPage(props: {
  intro?: string
  problem: Key | null
  join: (name: string, tags: string[]) => Promise<Joined>
  refusal: (status: number) => Key | null
  onJoined: (c: ParticipantCreds) => void
}) {
  const { t, lang } = useI18n()
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
    if (props.problem) {
      setError(t(props.problem))
      return
    }
    setBusy(true)
    setError(null)
    const tags: string[] = []
    if (org.trim()) tags.push(`org:${org.trim().slice(0, 60)}`)
    if (kind) tags.push(`kind:${kind}`)
    try {
      const joined = await props.join(name.trim(), tags)
      const creds = { participant_id: joined.participant_id, token: joined.token, name: joined.name }
      saveName(name.trim())
      saveParticipant(joined.session_id, creds)
      props.onJoined(creds)
    } catch (err) {
      const refused = props.refusal(statusOf(err))
      setError(refused ? t(refused) : errorText(t, err))
      setBusy(false)
    }
  }

  return (
    <PageFrame title={t('join.title')}>
      {props.intro && (
        <p class="lead">
          <strong>{props.intro}</strong>
        </p>
      )}
      <p class="lead">{t('join.lead')}</p>
      {props.problem && <ErrorText error={t(props.problem)} />}
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
    </PageFrame>
  )
}
