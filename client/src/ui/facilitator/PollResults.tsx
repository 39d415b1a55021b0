// A closed poll's results, shown to facilitators and participants alike.

import { useT } from '../../i18n'
import type { Poll } from '../../lib/control'

/** A poll's question in the reader's language, if the poll has one in it. */
export const pollQuestion = (p: Poll, lang: string) =>
  (p.questions as Record<string, string> | null)?.[lang] || p.question

export function PollResults({ poll }: { poll: Poll }) {
  const t = useT()
  const r = poll.results
  if (!r) return null
  if (r.texts) {
    return (
      <ul class="poll-texts" data-testid="poll-results">
        {r.texts.map((x, i) => (
          <li key={i}>{x}</li>
        ))}
      </ul>
    )
  }
  const counts = r.counts ?? {}
  const total = Object.values(counts).reduce((a, b) => a + b, 0) || 1
  return (
    <div data-testid="poll-results">
      <table class="poll-table">
        <tbody>
          {Object.entries(counts).map(([option, n]) => (
            <tr key={option}>
              <th scope="row">{option}</th>
              <td>
                <span class="bar" style={{ width: `${Math.round((n / total) * 100)}%` }} aria-hidden="true" />
                {n}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {typeof r.mean === 'number' && <p>{t('poll.mean', { mean: r.mean.toFixed(1) })}</p>}
    </div>
  )
}
