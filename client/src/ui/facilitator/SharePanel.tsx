// Share: the join code, the links for participants and the Lab display, the bot token and
// a QR code; what the join form asks (organisation, kind of person) rides on the links.
// Tokens are stored by the server only as hashes, so a facilitator in a browser that was
// not given a link sees it by making a new one (the old one stops working, and says so
// first). The bot token is shown once, right after it is made, and never kept by the
// browser. Which board the Lab display shows is chosen here too.

import { useState } from 'preact/hooks'
import { type Key, useT } from '../../i18n'
import { call, codeLink, command } from '../../lib/api'
import { type FacilitatorInfo, facilitatorInfo, saveFacilitator } from '../../lib/store'
import { announce, CopyField, ErrorText } from '../common'
import { QrCode } from '../qr'
import type { FacilitatorCtx } from './ctx'
import { useRunner } from './useRunner'

type Link = 'participant' | 'display' | 'bot'

const REISSUE: Record<Link, { button: Key; confirm: Key; make: (id: string, token: string) => Promise<unknown> }> = {
  participant: { button: 'share.newParticipant', confirm: 'share.confirmParticipant', make: (id, token) => command(id, token, 'links/rotate') },
  display: { button: 'share.newDisplay', confirm: 'share.confirmDisplay', make: (id, token) => command(id, token, 'links/{link}/rotate', { link: 'display' }) },
  bot: { button: 'share.newBot', confirm: 'share.confirmBot', make: (id, token) => command(id, token, 'links/{link}/rotate', { link: 'bot' }) },
}

export function SharePanel({ ctx }: { ctx: FacilitatorCtx }) {
  const t = useT()
  const [askOrg, setAskOrg] = useState(false)
  const [askKind, setAskKind] = useState(false)
  const [info, setInfo] = useState<FacilitatorInfo>(ctx.info ?? {})
  const origin = location.origin
  const here = (url: string) => url.replace(/^https?:\/\/[^/]+/, origin)
  const ask = [askOrg && 'org', askKind && 'kind'].filter(Boolean).join(',')
  const code = (ctx.state.session.join_code as string | undefined) ?? info.join_code ?? null
  // a participant link given with another join code was rotated since: it no longer works
  const participantUrl = info.participant_url && (!code || info.join_code === code) ? info.participant_url : null
  const participantLink = participantUrl ? here(participantUrl) + (ask ? `&ask=${ask}` : '') : null
  const joinLink = code ? codeLink(origin, code, ask) : null
  const display = info.display_url ? here(info.display_url) : null
  // the display draws the join link as a QR code, asking what this panel asks
  const displayLink = display && ask ? `${display}&ask=${ask}` : display
  const reissued = (got: Partial<FacilitatorInfo>) => {
    const next = { ...facilitatorInfo(ctx.sessionId), ...got } // as stored now: the title too
    saveFacilitator(ctx.sessionId, next)
    setInfo(next)
    announce(t('share.reissued'), true)
  }
  const hidden = !participantLink || !displayLink
  return (
    <section aria-labelledby="share-h" class="panel">
      <h2 id="share-h">{t('share.title')}</h2>
      {code && <CopyField label={t('share.code')} value={code} big testid="join-code" />}
      {joinLink && <CopyField label={t('share.joinLink')} value={joinLink} testid="join-link" />}
      {hidden && <p class="hint">{t('share.unknown')}</p>}
      {participantLink && <CopyField label={t('share.participant')} value={participantLink} testid="participant-link" />}
      <Reissue
        ctx={ctx}
        link="participant"
        onDone={(r: { participant_url: string; join_code: string }) => reissued({ participant_url: r.participant_url, join_code: r.join_code })}
      />
      <fieldset class="field compact">
        <legend>{t('share.ask')}</legend>
        <label class="check">
          <input type="checkbox" checked={askOrg} onChange={(e) => setAskOrg((e.target as HTMLInputElement).checked)} />
          {t('share.askOrg')}
        </label>
        <label class="check">
          <input type="checkbox" checked={askKind} onChange={(e) => setAskKind((e.target as HTMLInputElement).checked)} />
          {t('share.askKind')}
        </label>
      </fieldset>
      {displayLink && (
        <>
          <CopyField label={t('share.display')} value={displayLink} testid="display-link" />
          <p>
            <a href={displayLink} target="_blank" rel="noopener">
              {t('share.openDisplay')}
            </a>
          </p>
        </>
      )}
      <Reissue ctx={ctx} link="display" onDone={(r: { display_url: string }) => reissued({ display_url: r.display_url })} />
      <DisplayPin ctx={ctx} />
      {ctx.botToken && (
        <>
          <CopyField label={t('share.bot')} value={ctx.botToken} testid="bot-token" />
          <p class="hint" data-testid="bot-token-once">
            {t('share.botOnce')}
          </p>
        </>
      )}
      <Reissue
        ctx={ctx}
        link="bot"
        onDone={(r: { bot_token: string }) => {
          ctx.setBotToken(r.bot_token)
          announce(t('share.reissued'), true)
        }}
      />
      {joinLink && <QrCode text={joinLink} label={t('share.qr')} size={160} />}
    </section>
  )
}

/** A button that makes a new link, after saying that the old one stops working. */
function Reissue<R>({ ctx, link, onDone }: { ctx: FacilitatorCtx; link: Link; onDone: (r: R) => void }) {
  const t = useT()
  const { busy, error, run } = useRunner()
  const [asking, setAsking] = useState(false)
  const { button, confirm, make: reissue } = REISSUE[link]
  const make = async () => {
    const r = (await run(() => reissue(ctx.sessionId, ctx.token))) as R | null
    setAsking(false)
    if (r !== null) onDone(r)
  }
  if (!asking) {
    return (
      <p>
        <button type="button" class="small" onClick={() => setAsking(true)} data-testid={`new-${link}`}>
          {t(button)}
        </button>
      </p>
    )
  }
  return (
    <div class="confirm" role="group" aria-labelledby={`confirm-${link}`} data-testid={`confirm-${link}`}>
      <p id={`confirm-${link}`}>{t(confirm)}</p>
      <div class="buttons">
        <button type="button" class="primary" disabled={busy} onClick={make}>
          {t('share.confirm')}
        </button>
        <button type="button" onClick={() => setAsking(false)}>
          {t('cancel')}
        </button>
      </div>
      <ErrorText error={error} />
    </div>
  )
}

/** Which board the Lab display shows: the session's (it follows), or one pinned here. */
function DisplayPin({ ctx }: { ctx: FacilitatorCtx }) {
  const t = useT()
  const { error, run } = useRunner()
  const pinned = ctx.state.session.display_board ?? ''
  const boards = Object.entries(ctx.state.boards).filter(([, b]) => b.kind !== 'breakout')
  const pin = (board: string) =>
    run(() => call('patch', '/api/sessions/{session_id}', ctx.token, { session_id: ctx.sessionId }, { display_board: board || null }))
  return (
    <div class="field">
      <label for="display-pin">{t('share.displayShows')}</label>
      <select id="display-pin" value={pinned} onChange={(e) => pin((e.target as HTMLSelectElement).value)} data-testid="display-pin">
        <option value="">{t('share.displayFollows')}</option>
        {boards.map(([name, b]) => (
          <option value={name} key={name}>
            {b.title || name}
          </option>
        ))}
      </select>
      <ErrorText error={error} />
    </div>
  )
}
