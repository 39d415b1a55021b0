// A participant's raised hand and quick reactions (👍 ❤️ 😂 ❓): REST commands whose result
// reaches the facilitator's list and the Lab display through `control`. The server takes
// one reaction per person every two seconds; a tap meanwhile says so.

import { useT } from '../i18n'
import { sessionCall } from '../lib/api'
import { type ControlState, EMOJIS } from '../lib/control'
import { clock } from '../lib/clock'
import { ErrorText } from './common'
import { Glyph } from './Glyph'
import { useRunner } from './facilitator/useRunner'
import { useServerNow } from './hooks'

export function ReactionBar({ sessionId, token, me, state }: { sessionId: string; token: string; me: string; state: ControlState }) {
  const t = useT()
  const { busy, error, run } = useRunner()
  const raised = (state.reactions[me]?.hand ?? null) !== null
  return (
    <div class="reaction-bar" role="group" aria-label={t('reactions.label')}>
      <button type="button" aria-pressed={raised} disabled={busy} onClick={() => run(() => sessionCall('put', sessionId, token, 'reactions/hand', { raised: !raised }), raised ? 'reactions.lowered' : 'reactions.raised')} data-testid="raise-hand">
        <Glyph emoji="✋" /> {t(raised ? 'reactions.lower' : 'reactions.raise')}
      </button>
      {EMOJIS.map((emoji) => (
        <button type="button" key={emoji} class="emoji" aria-label={t('reactions.send', { emoji })} onClick={() => run(() => sessionCall('post', sessionId, token, 'reactions', { emoji }), 'reactions.sent')} data-testid={`react-${emoji}`}>
          <Glyph emoji={emoji} />
        </button>
      ))}
      <ErrorText error={error} />
    </div>
  )
}

// How long the Lab display shows a reaction after it was sent.
const SHOWN_MS = 5000

/** On the Lab display: each reaction of the last few seconds with its sender's name, and
 *  how many hands are up. Nothing moves; a reaction simply goes when its time is over. */
export function DisplayReactions({ state }: { state: ControlState }) {
  const t = useT()
  const entries = Object.entries(state.reactions)
  const latest = Math.max(0, ...entries.map(([, r]) => r?.at ?? 0))
  const now = useServerNow(1000, clock.serverNow() - latest < SHOWN_MS)
  const recent = entries
    .filter(([id, r]) => r?.emoji && r.at !== null && now - r.at < SHOWN_MS && id in state.roster)
    .sort((a, b) => (a[1].at ?? 0) - (b[1].at ?? 0))
  const hands = entries.filter(([id, r]) => r?.hand !== null && id in state.roster).length
  if (recent.length === 0 && hands === 0) return null
  return (
    <div class="display-reactions" aria-live="polite" data-testid="display-reactions">
      {hands > 0 && (
        <p class="hands-up">
          <Glyph emoji="✋" /> {t('reactions.handsUp', { count: hands })}
        </p>
      )}
      {recent.map(([id, r]) => (
        <p key={`${id}-${r.at}`} class="display-reaction">
          <Glyph emoji={r.emoji ?? ''} />{' '}
          {state.roster[id]?.name}
        </p>
      ))}
    </div>
  )
}
