// Timer: pause, resume, adjust, reset or restart the session's timer — the one every screen
// shows (lib/timer `shownTimer`) — or start a new one, which is then the one shown.

import { useState } from 'preact/hooks'
import { useT } from '../../i18n'
import { commandsFor } from '../../lib/api'
import { shownTimer } from '../../lib/timer'
import { ErrorText } from '../common'
import { TimerView } from '../Widgets'
import type { FacilitatorCtx } from './ctx'
import { NumberField } from './NumberField'
import { useRunner } from './useRunner'

export function TimerPanel({ ctx }: { ctx: FacilitatorCtx }) {
  const t = useT()
  const { busy, error, run } = useRunner()
  const [mins, setMins] = useState('5')
  const [label, setLabel] = useState('')
  const timer = shownTimer(ctx.state.timers)
  const cmd = commandsFor(ctx.sessionId, ctx.token)
  const start = (m: number) =>
    run(() => cmd('timers', { duration_ms: Math.round(m * 60000), label: label.trim(), start: true }), 'timer.started')
  return (
    <section aria-labelledby="timer-h" class="panel">
      <h2 id="timer-h">{t('timer.title')}</h2>
      {timer && <TimerView timer={timer} agenda={ctx.state.agenda} />}
      {timer && (
        <div class="buttons">
          {timer.state === 'running' && (
            <button type="button" onClick={() => run(() => cmd('timers/{timer_id}/pause', { timer_id: timer.id }), 'timer.pausedNow')} disabled={busy}>
              {t('timer.pause')}
            </button>
          )}
          {timer.state === 'paused' && (
            <button type="button" class="primary" onClick={() => run(() => cmd('timers/{timer_id}/resume', { timer_id: timer.id }), 'timer.resumed')} disabled={busy}>
              {t('timer.resume')}
            </button>
          )}
          {(timer.state === 'running' || timer.state === 'paused') && (
            <>
              <button type="button" onClick={() => run(() => cmd('timers/{timer_id}/adjust', { timer_id: timer.id }, { delta_ms: 60000 }))} disabled={busy}>
                {t('timer.plusMinute')}
              </button>
              <button type="button" onClick={() => run(() => cmd('timers/{timer_id}/adjust', { timer_id: timer.id }, { delta_ms: -60000 }))} disabled={busy}>
                {t('timer.minusMinute')}
              </button>
            </>
          )}
          {timer.state !== 'idle' && (
            <button type="button" onClick={() => run(() => cmd('timers/{timer_id}/reset', { timer_id: timer.id }))} disabled={busy}>
              {t('timer.reset')}
            </button>
          )}
          {(timer.state === 'idle' || timer.state === 'ended') && (
            <button type="button" class="primary" onClick={() => run(() => cmd('timers/{timer_id}/start', { timer_id: timer.id }), 'timer.started')} disabled={busy}>
              {t('timer.startAgain')}
            </button>
          )}
        </div>
      )}
      <h3>{t('timer.new')}</h3>
      <div class="buttons">
        {[1, 3, 5, 10, 15].map((m) => (
          <button type="button" key={m} onClick={() => start(m)} disabled={busy} data-testid={`timer-${m}`}>
            {t('agenda.minutes', { n: m })}
          </button>
        ))}
      </div>
      <div class="row-fields">
        <NumberField id="timer-min" label={t('timer.minutes')} value={mins} onValue={setMins} min="0.1" max="600" step="0.5" />
        <div class="field">
          <label for="timer-label">{t('timer.label')}</label>
          <input id="timer-label" value={label} maxLength={80} onInput={(e) => setLabel((e.target as HTMLInputElement).value)} />
        </div>
      </div>
      <button type="button" class="primary" onClick={() => start(Number(mins) || 5)} disabled={busy}>
        {t('timer.start')}
      </button>
      <ErrorText error={error} />
    </section>
  )
}
