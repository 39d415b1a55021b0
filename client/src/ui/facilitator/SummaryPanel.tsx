// Write a summary and post it into the session, where every screen shows it.

import { useState } from 'preact/hooks'
import { useT } from '../../i18n'
import { command } from '../../lib/api'
import { ErrorText } from '../common'
import type { FacilitatorCtx } from './ctx'
import { useRunner } from './useRunner'

export function SummaryPanel({ ctx, author }: { ctx: FacilitatorCtx; author: string }) {
  const t = useT()
  const { busy, error, run } = useRunner()
  const [text, setText] = useState('')
  return (
    <form
      class="stack panel"
      onSubmit={(e) => {
        e.preventDefault()
        if (!text.trim()) return
        void run(() => command(ctx.sessionId, ctx.token, 'summaries', { author, markdown: text }), 'summaries.posted').then(
          (r) => r && setText(''),
        )
      }}
    >
      <label for="summary-text">{t('summaries.write')}</label>
      <textarea id="summary-text" rows={5} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      <button type="submit" disabled={busy || !text.trim()}>
        {t('summaries.post')}
      </button>
      <ErrorText error={error} />
    </form>
  )
}
