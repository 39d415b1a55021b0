// Polls: start a choice, scale or free-text poll (or a preset), see answers come in, close it.

import { useState } from 'preact/hooks'
import { useI18n } from '../../i18n'
import { commandsFor, type Schemas } from '../../lib/api'
import { ErrorText } from '../common'
import type { FacilitatorCtx } from './ctx'
import { PollResults, pollQuestion } from './PollResults'
import { useRunner } from './useRunner'

export function PollPanel({ ctx }: { ctx: FacilitatorCtx }) {
  const { t, lang } = useI18n()
  const { busy, error, run } = useRunner()
  const [kind, setKind] = useState<'choice' | 'scale' | 'text'>('choice')
  const [question, setQuestion] = useState('')
  const [options, setOptions] = useState('')
  const cmd = commandsFor(ctx.sessionId, ctx.token)
  const polls = ctx.state.polls
  const create = (e: Event) => {
    e.preventDefault()
    const body: Schemas['NewPoll'] = { kind, question: question.trim() }
    if (kind === 'choice') body.options = options.split('\n').map((o) => o.trim()).filter(Boolean)
    void run(() => cmd('polls', body), 'poll.started').then((r) => r && (setQuestion(''), setOptions('')))
  }
  return (
    <section aria-labelledby="poll-h" class="panel">
      <h2 id="poll-h">{t('poll.title')}</h2>
      {polls.map((p) => (
        <div key={p.id} class="card" data-testid="poll-card">
          <p>
            <strong>{pollQuestion(p, lang)}</strong>
          </p>
          <p>{t('poll.answers', { n: p.answers })}</p>
          {p.state === 'open' && (
            <button type="button" onClick={() => run(() => cmd('polls/{poll_id}/close', { poll_id: p.id }), 'poll.closed')} disabled={busy} data-testid="poll-close">
              {t('poll.close')}
            </button>
          )}
          {p.state === 'closed' && <PollResults poll={p} />}
        </div>
      ))}
      <h3>{t('poll.presets')}</h3>
      <div class="buttons">
        <button type="button" onClick={() => run(() => cmd('polls', { preset: 'heard' }), 'poll.started')} disabled={busy}>
          {t('poll.presetHeard')}
        </button>
        <button type="button" onClick={() => run(() => cmd('polls', { preset: 'use' }), 'poll.started')} disabled={busy}>
          {t('poll.presetUse')}
        </button>
      </div>
      <h3>{t('poll.new')}</h3>
      <form class="stack" onSubmit={create}>
        <div class="field">
          <label for="poll-kind">{t('poll.kind')}</label>
          <select id="poll-kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as typeof kind)}>
            <option value="choice">{t('poll.kindChoice')}</option>
            <option value="scale">{t('poll.kindScale')}</option>
            <option value="text">{t('poll.kindText')}</option>
          </select>
        </div>
        <div class="field">
          <label for="poll-q">{t('poll.question')}</label>
          <input id="poll-q" value={question} maxLength={300} required onInput={(e) => setQuestion((e.target as HTMLInputElement).value)} />
        </div>
        {kind === 'choice' && (
          <div class="field">
            <label for="poll-o">{t('poll.options')}</label>
            <textarea id="poll-o" rows={4} value={options} onInput={(e) => setOptions((e.target as HTMLTextAreaElement).value)} />
          </div>
        )}
        <button type="submit" class="primary" disabled={busy || !question.trim()} data-testid="poll-start">
          {t('poll.start')}
        </button>
      </form>
      <ErrorText error={error} />
    </section>
  )
}
