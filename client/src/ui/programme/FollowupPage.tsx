// A follow-up poll's link, `/p/{id}/poll/{poll}#token=…`: only the poll, answered once.
import { useEffect, useState } from 'preact/hooks'
import { errorText, useI18n } from '../../i18n'
import { call } from '../../lib/api'
import { ErrorText, PageFrame } from '../common'
import { programmeToken } from './token'

export function FollowupPage({ id, poll }: { id: string; poll: string }) {
  const { t } = useI18n()
  const [token] = useState(() => programmeToken(id, `paja:poll:${poll}`))
  const [question, setQuestion] = useState<string | null>(null)
  const [done, setDone] = useState(false)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    call('get', '/api/programmes/{programme_id}/followups/{poll_id}', token, { programme_id: id, poll_id: poll })
      .then((b) => setQuestion(b.question))
      .catch(() => setError(t('prog.pollUsed')))
  }, [id, poll])
  const answer = async (value: number) => {
    try {
      await call('post', '/api/programmes/{programme_id}/followups/{poll_id}/answers', token, { programme_id: id, poll_id: poll }, { value })
      setDone(true)
    } catch (err) {
      setError(errorText(t, err))
    }
  }
  return (
    <PageFrame title={t('prog.followup')}>
      {done ? (
        <p role="status" data-testid="poll-thanks">
          {t('prog.pollThanks')}
        </p>
      ) : (
        question && (
          <fieldset class="field">
            <legend>{question}</legend>
            <p class="hint">{t('prog.pollAnonymous')}</p>
            <div class="row">
              {[1, 2, 3, 4, 5].map((v) => (
                <button type="button" key={v} class="big" onClick={() => answer(v)} data-testid={`answer-${v}`}>
                  {v}
                </button>
              ))}
            </div>
          </fieldset>
        )
      )}
      <ErrorText error={error} />
    </PageFrame>
  )
}
