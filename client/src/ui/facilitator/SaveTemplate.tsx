// Saving the session's agenda and boards (with their sections) as a template: a JSON file
// downloaded, and stored on this server for its start page (docs/templates.md).

import { useI18n } from '../../i18n'
import { sessionCall } from '../../lib/api'
import { ErrorText } from '../common'
import type { FacilitatorCtx } from './ctx'
import { useRunner } from './useRunner'

/** Offer `data` to the browser as a download named `name`. */
function download(name: string, data: unknown) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }))
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

/** A file name from a title: letters, digits and dashes. */
const fileName = (title: string) =>
  `${
    title
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'paja'
  }-template.json`

export function SaveTemplate({ ctx }: { ctx: FacilitatorCtx }) {
  const { t } = useI18n()
  const { busy, error, run } = useRunner()
  const save = async () => {
    const saved = await run(() => sessionCall('post', ctx.sessionId, ctx.token, 'template', {}), 'template.saved')
    if (saved) download(fileName(ctx.state.session.title || 'paja'), saved.template)
  }
  return (
    <>
      <button type="button" class="link" onClick={save} disabled={busy}>
        {t('template.save')}
      </button>
      <ErrorText error={error} />
    </>
  )
}
