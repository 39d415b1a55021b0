// People, for a facilitator: raised hands first (oldest first) with each person's latest
// reaction, then everyone with "make co-facilitator" / "make participant" and "remove".
// Removing revokes the person's tokens and closes their sockets (docs/api.md).

import { useState } from 'preact/hooks'
import { useT } from '../../i18n'
import { sessionCall } from '../../lib/api'
import type { Signal } from '../../lib/control'
import { Confirm, ErrorText } from '../common'
import { Glyph } from '../Glyph'
import type { FacilitatorCtx } from './ctx'
import { useRunner } from './useRunner'

const NONE: Signal = { hand: null, emoji: null, at: null }

export function PeopleAdmin({ ctx }: { ctx: FacilitatorCtx }) {
  const t = useT()
  const { busy, error, run } = useRunner()
  const [removing, setRemoving] = useState<string | null>(null)
  const { sessionId, token, state } = ctx
  const signal = (id: string) => state.reactions[id] ?? NONE
  const hands = Object.keys(state.roster)
    .filter((id) => signal(id).hand !== null)
    .sort((a, b) => (signal(a).hand ?? 0) - (signal(b).hand ?? 0))
  const people = Object.entries(state.roster).sort((a, b) => a[1].name.localeCompare(b[1].name))
  const name = (id: string) => state.roster[id]?.name ?? id
  return (
    <section aria-labelledby="people-admin-h" class="panel">
      <h2 id="people-admin-h">{t('peopleAdmin.title')}</h2>
      {hands.length > 0 && (
        <ol class="hands" aria-label={t('peopleAdmin.hands')} data-testid="hands">
          {hands.map((id) => (
            <li key={id}>
              <Glyph emoji="✋" /> <span class="name">{name(id)}</span>
              <button type="button" class="small" disabled={busy} onClick={() => run(() => sessionCall('delete', sessionId, token, 'reactions/{participant_id}/hand', { participant_id: id }))} data-testid="lower-hand">
                {t('peopleAdmin.lowerHand')}
              </button>
            </li>
          ))}
        </ol>
      )}
      <ul class="people-admin" data-testid="people-admin">
        {people.map(([id, p]) => {
          const emoji = signal(id).emoji
          const co = p.role === 'facilitator'
          return (
            <li key={id} data-person={p.name}>
              <span class="name">{p.name}</span>
              {emoji && (
                <span class="reaction" role="img" aria-label={t('peopleAdmin.reacted', { emoji })} data-testid="person-reaction">
                  <Glyph emoji={emoji} />
                </span>
              )}
              {co && <span class="badge">{t('role.facilitator')}</span>}
              <div class="buttons">
                <button
                  type="button"
                  class="small"
                  disabled={busy}
                  onClick={() => run(() => sessionCall('put', sessionId, token, 'participants/{participant_id}/role', { participant_id: id }, { role: co ? 'participant' : 'facilitator' }), co ? 'peopleAdmin.demoted' : 'peopleAdmin.promoted')}
                  data-testid={co ? 'demote' : 'promote'}
                >
                  {t(co ? 'peopleAdmin.demote' : 'peopleAdmin.promote')}
                </button>
                <button type="button" class="small danger" disabled={busy} onClick={() => setRemoving(id)} data-testid="remove-person">
                  {t('peopleAdmin.remove')}
                </button>
              </div>
            </li>
          )
        })}
      </ul>
      <ErrorText error={error} />
      {removing && (
        <Confirm
          title={t('peopleAdmin.removeTitle', { name: name(removing) })}
          body={t('peopleAdmin.removeBody')}
          yes={t('peopleAdmin.remove')}
          no={t('cancel')}
          onYes={() => {
            const id = removing
            setRemoving(null)
            void run(() => sessionCall('delete', sessionId, token, 'participants/{participant_id}', { participant_id: id }), 'peopleAdmin.removed')
          }}
          onNo={() => setRemoving(null)}
        />
      )}
    </section>
  )
}
