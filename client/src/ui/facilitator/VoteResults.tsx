// A revealed vote's top notes; the note texts come from the board when it is the one shown.

import { useT } from '../../i18n'
import type { BoardModel } from '../../lib/board'
import type { Vote } from '../../lib/control'

export function VoteResults({ vote, model }: { vote: Vote; model: BoardModel | null }) {
  const t = useT()
  if (!vote.results) return null
  return (
    <div class="card results" data-testid="vote-results">
      <h3>{t('vote.results', { title: vote.title || t('vote.untitled') })}</h3>
      <ol>
        {vote.results
          .filter((r) => r.dots > 0)
          .slice(0, 10)
          .map((r) => (
            <li key={r.note}>
              <strong>{t('vote.dots', { count: r.dots })}</strong> — {model?.notes.get(r.note)?.text || t('vote.noteGone')}
            </li>
          ))}
      </ol>
    </div>
  )
}
