// An agenda item's steps (docs/templates.md): each a button that runs it on the server, as
// the breakout, poll and vote commands do; a step that has run shows when and stays done.

import { type Key, useI18n } from '../../i18n'
import type { AgendaItem, AgendaStep } from '../../lib/control'
import type { FacilitatorCtx } from './ctx'
import { useRunner } from './useRunner'
import { ErrorText } from '../common'
import { sessionCall } from '../../lib/api'

const STRATEGY: Record<string, Key> = {
  random: 'breakout.random',
  balanced: 'breakout.balanced',
  keep_apart: 'breakout.keepApart',
}

/** What a step does, in the viewer's language. */
export function useStepLabel(): (step: AgendaStep) => string {
  const { t, lang } = useI18n()
  return (step) => {
    if (step.kind === 'breakout') {
      const size = step.group_size ? t('steps.groupSize', { n: step.group_size }) : t('steps.rooms', { n: step.rooms ?? 0 })
      return t('steps.breakout', { strategy: t(STRATEGY[step.strategy]), size, minutes: step.minutes })
    }
    if (step.kind === 'feedback_polls') return t('steps.polls', { n: step.presets.length })
    return t('steps.vote', { title: step.titles[lang as 'fi' | 'sv' | 'en'] ?? step.titles.en })
  }
}

export function AgendaSteps({ ctx, item }: { ctx: FacilitatorCtx; item: AgendaItem }) {
  const { t } = useI18n()
  const label = useStepLabel()
  const { busy, error, run } = useRunner()
  const steps = item.steps ?? []
  if (steps.length === 0) return null
  const ran = ctx.state.agenda.ran ?? {}
  return (
    <div class="agenda-steps" role="group" aria-label={t('steps.title')}>
      {steps.map((step, index) => {
        const done = ran[`${item.id}/${index}`]
        return (
          <button
            key={index}
            type="button"
            class={done ? 'step done' : 'step primary'}
            disabled={busy || done !== undefined}
            onClick={() =>
              run(
                () => sessionCall('post', ctx.sessionId, ctx.token, 'agenda/{item_id}/steps/{index}/run', { item_id: item.id, index: String(index) }),
                'steps.ran',
              )
            }
          >
            {done !== undefined ? `✓ ${label(step)}` : `▶ ${label(step)}`}
          </button>
        )
      })}
      <ErrorText error={error} />
    </div>
  )
}
