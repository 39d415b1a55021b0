// Share: the join code, the links for participants and the Lab display, and a QR code;
// what the join form asks (organisation, kind of person) rides on the links.

import { useState } from 'preact/hooks'
import { useT } from '../../i18n'
import { codeLink } from '../../lib/api'
import { CopyField } from '../common'
import { QrCode } from '../qr'
import type { FacilitatorCtx } from './ctx'

export function SharePanel({ ctx }: { ctx: FacilitatorCtx }) {
  const t = useT()
  const [askOrg, setAskOrg] = useState(false)
  const [askKind, setAskKind] = useState(false)
  const info = ctx.info
  const origin = location.origin
  const here = (url: string) => url.replace(/^https?:\/\/[^/]+/, origin)
  const ask = [askOrg && 'org', askKind && 'kind'].filter(Boolean).join(',')
  const participantLink = info?.participant_url ? here(info.participant_url) + (ask ? `&ask=${ask}` : '') : null
  const code = (ctx.state.session.join_code as string | undefined) ?? info?.join_code ?? null
  const joinLink = code ? codeLink(origin, code, ask) : null
  const display = info?.display_url ? here(info.display_url) : null
  // the display draws the join link as a QR code, asking what this panel asks
  const displayLink = display && ask ? `${display}&ask=${ask}` : display
  return (
    <section aria-labelledby="share-h" class="panel">
      <h2 id="share-h">{t('share.title')}</h2>
      {code && <CopyField label={t('share.code')} value={code} big testid="join-code" />}
      {joinLink && <CopyField label={t('share.joinLink')} value={joinLink} testid="join-link" />}
      {participantLink && <CopyField label={t('share.participant')} value={participantLink} testid="participant-link" />}
      {!participantLink && <p class="hint">{t('share.unknown')}</p>}
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
      {joinLink && <QrCode text={joinLink} label={t('share.qr')} size={160} />}
    </section>
  )
}
