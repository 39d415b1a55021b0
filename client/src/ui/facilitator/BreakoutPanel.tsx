// Breakouts: draft a round of rooms by a strategy, then open, run and close it (RoundView),
// and message every room while it is open.

import { useState } from 'preact/hooks'
import { type Key, useT } from '../../i18n'
import { commandsFor, type Schemas, sessionCall } from '../../lib/api'
import { ErrorText } from '../common'
import { draftBody, type SizeMode } from './breakouts'
import type { FacilitatorCtx } from './ctx'
import { NumberField } from './NumberField'
import { RoomsOverview } from './RoomsOverview'
import { RoundView } from './RoundView'
import { useRunner } from './useRunner'

const STRATEGIES: Array<[string, Key]> = [
  ['random', 'breakout.random'],
  ['keep_apart', 'breakout.keepApart'],
  ['balanced', 'breakout.balanced'],
  ['choose', 'breakout.choose'],
]

// An event of a programme can break out "to your trios": the programme's groups as rooms.
const PROGRAMME_GROUPS: [string, Key] = ['programme_groups', 'breakout.programmeGroups']

export function BreakoutPanel({ ctx }: { ctx: FacilitatorCtx }) {
  const t = useT()
  const { busy, error, run } = useRunner()
  const [strategy, setStrategy] = useState<Schemas['NewRound']['strategy']>('keep_apart')
  const [sizeMode, setSizeMode] = useState<SizeMode>('group_size')
  const [size, setSize] = useState('3')
  const [duration, setDuration] = useState('15')
  const [countdown, setCountdown] = useState('60')
  const [message, setMessage] = useState('')
  const [overview, setOverview] = useState(false)
  const round = ctx.state.round
  const cmd = commandsFor(ctx.sessionId, ctx.token)
  const live = round && (round.state === 'draft' || round.state === 'open' || round.state === 'closing') ? round : null

  const broadcast = (text: string) => run(() => cmd('breakouts/{round_id}/messages', { round_id: round?.id ?? '' }, { text }), 'breakout.sent')

  const draft = () => {
    const body = draftBody({ strategy, sizeMode, size, duration, countdown }, Object.keys(ctx.state.roster).length)
    return run(() => cmd('breakouts', body), 'breakout.drafted')
  }

  return (
    <section aria-labelledby="breakout-h" class="panel">
      <h2 id="breakout-h">{t('breakout.title')}</h2>
      {!live && (
        <div class="stack">
          <div class="field">
            <label for="bo-strategy">{t('breakout.strategy')}</label>
            <select id="bo-strategy" value={strategy} onChange={(e) => setStrategy((e.target as HTMLSelectElement).value as Schemas['NewRound']['strategy'])}>
              {(ctx.state.session.programme ? [...STRATEGIES, PROGRAMME_GROUPS] : STRATEGIES).map(([v, k]) => (
                <option value={v} key={v}>
                  {t(k)}
                </option>
              ))}
            </select>
          </div>
          <fieldset class="field compact">
            <legend>{t('breakout.sizeBy')}</legend>
            <label class="check">
              <input type="radio" name="size-mode" checked={sizeMode === 'group_size'} onChange={() => setSizeMode('group_size')} disabled={strategy === 'choose'} />
              {t('breakout.groupSize')}
            </label>
            <label class="check">
              <input type="radio" name="size-mode" checked={sizeMode === 'rooms' || strategy === 'choose'} onChange={() => setSizeMode('rooms')} />
              {t('breakout.roomCount')}
            </label>
          </fieldset>
          <div class="row-fields">
            <NumberField id="bo-size" label={sizeMode === 'rooms' || strategy === 'choose' ? t('breakout.roomCount') : t('breakout.groupSize')} value={size} onValue={setSize} min="1" max="200" />
            <NumberField id="bo-duration" label={t('breakout.duration')} value={duration} onValue={setDuration} min="1" max="480" />
            <NumberField id="bo-countdown" label={t('breakout.countdown')} value={countdown} onValue={setCountdown} min="0" max="600" />
          </div>
          <button type="button" class="primary" onClick={draft} disabled={busy} data-testid="breakout-preview">
            {t('breakout.preview')}
          </button>
        </div>
      )}
      {live && (
        <RoundView
          round={live}
          ctx={ctx}
          busy={busy}
          onOpen={() => run(() => cmd('breakouts/{round_id}/open', { round_id: live.id }, { duration_ms: live.duration_ms }), 'breakout.opened')}
          onDiscard={() => run(() => sessionCall('delete', ctx.sessionId, ctx.token, 'breakouts/{round_id}', { round_id: live.id }))}
          onMove={(participant, room) => run(() => cmd('breakouts/{round_id}/moves', { round_id: live.id }, { participant, room }))}
          onClose={() => run(() => cmd('breakouts/{round_id}/close', { round_id: live.id }), 'breakout.closingNow')}
          onExtend={(ms) => run(() => cmd('breakouts/{round_id}/time', { round_id: live.id }, { delta_ms: ms }), 'breakout.extended')}
          onClearHelp={(room) => run(() => sessionCall('delete', ctx.sessionId, ctx.token, 'breakouts/{round_id}/help/{room}', { round_id: live.id, room }))}
        />
      )}
      {live && live.state !== 'draft' && (
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault()
            if (!message.trim()) return
            void broadcast(message.trim()).then((r) => r && setMessage(''))
          }}
        >
          <label for="bo-message">{t('breakout.broadcast')}</label>
          <div class="row">
            <input id="bo-message" value={message} maxLength={500} onInput={(e) => setMessage((e.target as HTMLInputElement).value)} />
            <button type="submit" disabled={busy || !message.trim()}>
              {t('breakout.send')}
            </button>
          </div>
        </form>
      )}
      {round && round.state !== 'draft' && (
        <button type="button" class={round.state === 'closed' ? 'primary' : ''} onClick={() => setOverview(true)} data-testid="overview-open">
          {round.state === 'closed' ? t('overview.openHarvest') : t('overview.open')}
        </button>
      )}
      {overview && round && round.state !== 'draft' && (
        <RoomsOverview
          round={round}
          ctx={ctx}
          busy={busy}
          onClose={() => setOverview(false)}
          onBroadcast={broadcast}
          onMoreTime={(room, ms) => run(() => cmd('breakouts/{round_id}/rooms/{room}/time', { round_id: round.id, room }, { delta_ms: ms }), 'overview.moreTimeGiven')}
          onClearHelp={(room) => run(() => sessionCall('delete', ctx.sessionId, ctx.token, 'breakouts/{round_id}/help/{room}', { round_id: round.id, room }))}
        />
      )}
      <ErrorText error={error} />
    </section>
  )
}
