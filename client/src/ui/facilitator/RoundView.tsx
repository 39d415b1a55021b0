// A breakout round as the facilitator runs it: its rooms and members (moved by drag and drop
// or by a menu), calls for help, the time left, and the buttons for the round's state.

import { useState } from 'preact/hooks'
import { type Key, useT } from '../../i18n'
import type { Round } from '../../lib/control'
import { formatClock } from '../../lib/timer'
import { useServerNow } from '../hooks'
import { tagLabels } from '../Widgets'
import { minutes } from './agenda'
import { type FacilitatorCtx, useBoardTitle } from './ctx'

export function RoundView(props: {
  round: Round
  ctx: FacilitatorCtx
  busy: boolean
  onOpen: () => void
  onDiscard: () => void
  onMove: (participant: string, room: string) => void
  onClose: () => void
  onExtend: (ms: number) => void
  onClearHelp: (room: string) => void
}) {
  const t = useT()
  const { round, ctx } = props
  const now = useServerNow(1000, round.state !== 'draft')
  const [dragging, setDragging] = useState<string | null>(null)
  const name = (pid: string) => ctx.state.roster[pid]?.name ?? pid
  const ends = round.state === 'closing' ? round.closes_at : round.ends_at
  const boardTitle = useBoardTitle()
  const roomName = (id: string) => boardTitle(ctx.state, round.rooms.find((r) => r.id === id)?.board ?? id)
  const helpRooms = round.rooms.filter((r) => r.help_requested_at)
  return (
    <div class="round" data-testid="round" data-state={round.state}>
      <p class="round-status">
        <strong>{t(`breakout.state.${round.state}` as Key)}</strong>
        {ends && round.state !== 'draft' && <span> · {formatClock(Math.max(0, ends - now))}</span>}
      </p>
      {helpRooms.length > 0 && (
        <div class="help-calls" role="alert">
          {helpRooms.map((r) => (
            <p key={r.id}>
              {t('breakout.helpCall', { room: roomName(r.id) })}{' '}
              <button type="button" onClick={() => ctx.goTo(r.board)}>
                {t('breakout.visit')}
              </button>{' '}
              <button type="button" onClick={() => props.onClearHelp(r.id)}>
                {t('breakout.clearHelp')}
              </button>
            </p>
          ))}
        </div>
      )}
      {round.state === 'draft' && <p class="hint">{t('breakout.dragHint')}</p>}
      <ul class="rooms">
        {round.rooms.map((room) => (
          <li
            key={room.id}
            class={`room${ctx.board === room.board ? ' here' : ''}`}
            data-testid="room"
            onDragOver={(e) => round.state !== 'closed' && e.preventDefault()}
            onDrop={(e) => {
              e.preventDefault()
              const pid = e.dataTransfer?.getData('text/plain') || dragging
              if (pid) props.onMove(pid, room.id)
              setDragging(null)
            }}
          >
            <div class="room-head">
              <strong>{roomName(room.id)}</strong>
              {round.state !== 'draft' && (
                <button type="button" class="small" onClick={() => ctx.goTo(room.board)} aria-label={t('breakout.visitRoom', { room: roomName(room.id) })}>
                  {t('breakout.visit')}
                </button>
              )}
            </div>
            <ul class="members">
              {room.members.map((pid) => (
                <li
                  key={pid}
                  class="member"
                  draggable={round.state !== 'closing'}
                  onDragStart={(e) => {
                    e.dataTransfer?.setData('text/plain', pid)
                    setDragging(pid)
                  }}
                >
                  <span class="member-name">
                    {name(pid)} <span class="member-tags">{tagLabels(ctx.state.roster[pid]?.tags ?? [], t).join(' · ')}</span>
                  </span>
                  {round.state !== 'closing' && round.rooms.length > 1 && (
                    <select
                      class="move-select"
                      aria-label={t('breakout.moveTo', { name: name(pid) })}
                      value={room.id}
                      onChange={(e) => props.onMove(pid, (e.target as HTMLSelectElement).value)}
                    >
                      {round.rooms.map((r) => (
                        <option value={r.id} key={r.id}>
                          {roomName(r.id)}
                        </option>
                      ))}
                    </select>
                  )}
                </li>
              ))}
              {room.members.length === 0 && <li class="hint">{t('breakout.emptyRoom')}</li>}
            </ul>
          </li>
        ))}
      </ul>
      {round.unassigned.length > 0 && (
        <p class="hint">
          {t('breakout.unassigned')}: {round.unassigned.map(name).join(', ')}
        </p>
      )}
      <div class="buttons">
        {round.state === 'draft' && (
          <>
            <button type="button" class="primary" onClick={props.onOpen} disabled={props.busy} data-testid="breakout-open">
              {t('breakout.open', { n: minutes(round.duration_ms) })}
            </button>
            <button type="button" onClick={props.onDiscard} disabled={props.busy}>
              {t('breakout.discard')}
            </button>
          </>
        )}
        {round.state === 'open' && (
          <>
            <button type="button" onClick={() => props.onExtend(5 * 60000)} disabled={props.busy}>
              {t('breakout.extend')}
            </button>
            <button type="button" class="primary" onClick={props.onClose} disabled={props.busy} data-testid="breakout-close">
              {t('breakout.close')}
            </button>
          </>
        )}
        {round.state !== 'draft' && ctx.board !== 'main' && (
          <button type="button" onClick={() => ctx.goTo('main')}>
            {t('board.backToMain')}
          </button>
        )}
      </div>
    </div>
  )
}
