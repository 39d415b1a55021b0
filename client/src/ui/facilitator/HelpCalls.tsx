// Calls for help from breakout rooms, popped up for the facilitator whatever tab is open:
// each is announced once, offers "Go to room", and can be dismissed here (the call itself
// stays on the Breakouts tab until it is marked done or the round's time is up).

import { useEffect, useRef, useState } from 'preact/hooks'
import { useT } from '../../i18n'
import { announce, Popup } from '../common'
import type { FacilitatorCtx } from './ctx'

export function HelpCalls({ ctx }: { ctx: FacilitatorCtx }) {
  const t = useT()
  const [dismissed, setDismissed] = useState<Set<string>>(new Set())
  const announced = useRef(new Set<string>())
  const round = ctx.state.round
  const calls = (round?.state === 'open' || round?.state === 'closing' ? round.rooms : [])
    .filter((r) => r.help_requested_at)
    .map((r) => ({ room: r, key: `${round?.id}:${r.id}:${r.help_requested_at}` }))
  useEffect(() => {
    for (const { room, key } of calls) {
      if (announced.current.has(key)) continue
      announced.current.add(key)
      announce(t('breakout.helpCall', { room: room.name }))
    }
  }, [calls.map((c) => c.key).join()])
  const dismiss = (key: string) => setDismissed(new Set([...dismissed, key]))
  const shown = calls.filter((c) => !dismissed.has(c.key))
  if (shown.length === 0) return null
  return (
    <div class="popups">
      {shown.map(({ room, key }) => (
        <Popup key={key} title={t('helpCall.title')} testid="help-popup" onDismiss={() => dismiss(key)}>
          <p>{t('breakout.helpCall', { room: room.name })}</p>
          <button
            type="button"
            class="primary"
            onClick={() => {
              ctx.goTo(room.board)
              dismiss(key)
            }}
          >
            {t('helpCall.go')}
          </button>
        </Popup>
      ))}
    </div>
  )
}
