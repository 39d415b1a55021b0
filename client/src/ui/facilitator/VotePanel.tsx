// Votes: start a dot vote on the current board, follow it, close and reveal it.

import { useState } from 'preact/hooks'
import { useT } from '../../i18n'
import { commandsFor } from '../../lib/api'
import { ErrorText } from '../common'
import { type FacilitatorCtx, useBoardTitle } from './ctx'
import { NumberField } from './NumberField'
import { useRunner } from './useRunner'
import { VoteResults } from './VoteResults'

export function VotePanel({ ctx }: { ctx: FacilitatorCtx }) {
  const t = useT()
  const boardTitle = useBoardTitle()
  const { busy, error, run } = useRunner()
  const [title, setTitle] = useState('')
  const [perPerson, setPerPerson] = useState('3')
  const [perNote, setPerNote] = useState('2')
  const [anonymous, setAnonymous] = useState(true)
  const votes = ctx.state.votes
  const active = votes.filter((v) => v.state !== 'revealed')
  const revealed = votes.filter((v) => v.state === 'revealed').slice(-1)
  const cmd = commandsFor(ctx.sessionId, ctx.token)
  return (
    <section aria-labelledby="vote-h" class="panel">
      <h2 id="vote-h">{t('vote.title')}</h2>
      {active.map((v) => (
        <div key={v.id} class="card" data-testid="vote-card">
          <p>
            <strong>{v.title || t('vote.untitled')}</strong> · {boardTitle(ctx.state, v.board)}
          </p>
          <p>{t('vote.progress', { dots: v.dots_cast, voters: v.voters })}</p>
          <div class="buttons">
            {v.state === 'open' && (
              <button type="button" onClick={() => run(() => cmd('votes/{vote_id}/close', { vote_id: v.id }), 'vote.closed')} disabled={busy}>
                {t('vote.close')}
              </button>
            )}
            <button
              type="button"
              class="primary"
              onClick={() =>
                run(async () => {
                  if (v.state === 'open') await cmd('votes/{vote_id}/close', { vote_id: v.id })
                  return cmd('votes/{vote_id}/reveal', { vote_id: v.id })
                }, 'vote.revealed')
              }
              disabled={busy}
              data-testid="vote-reveal"
            >
              {t('vote.reveal')}
            </button>
          </div>
        </div>
      ))}
      {revealed.map((v) => (
        <VoteResults key={v.id} vote={v} model={ctx.board === v.board ? ctx.model : null} />
      ))}
      <h3>{t('vote.new')}</h3>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault()
          void run(
            () =>
              cmd('votes', {
                board: ctx.board,
                title: title.trim() || undefined,
                per_participant: Math.max(1, Number(perPerson) || 3),
                per_note: Math.max(1, Number(perNote) || 1),
                anonymous,
              }),
            'vote.started',
          )
        }}
      >
        <div class="field">
          <label for="vote-title">{t('vote.question')}</label>
          <input id="vote-title" value={title} maxLength={200} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
        </div>
        <div class="row-fields">
          <NumberField id="vote-pp" label={t('vote.perPerson')} value={perPerson} onValue={setPerPerson} min="1" max="50" />
          <NumberField id="vote-pn" label={t('vote.perNote')} value={perNote} onValue={setPerNote} min="1" max="50" />
        </div>
        <label class="check">
          <input type="checkbox" checked={anonymous} onChange={(e) => setAnonymous((e.target as HTMLInputElement).checked)} />
          {t('vote.anonymous')}
        </label>
        <p class="hint">{t('vote.onBoard', { board: boardTitle(ctx.state, ctx.board) })}</p>
        <button type="submit" class="primary" disabled={busy} data-testid="vote-start">
          {t('vote.start')}
        </button>
      </form>
      <ErrorText error={error} />
    </section>
  )
}
