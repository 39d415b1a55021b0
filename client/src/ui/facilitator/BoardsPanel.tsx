// Boards: bring everyone to this board, lead their view ("follow me"), open boards to all,
// and create new ones.

import { useMemo, useState } from 'preact/hooks'
import { useT } from '../../i18n'
import { command, sessionCall } from '../../lib/api'
import { ErrorText } from '../common'
import { boardName } from './boards'
import { type FacilitatorCtx, useBoardTitle } from './ctx'
import { useRunner } from './useRunner'

export function BoardsPanel({ ctx }: { ctx: FacilitatorCtx }) {
  const t = useT()
  const boardTitle = useBoardTitle()
  const { busy, error, run } = useRunner()
  const [title, setTitle] = useState('')
  const boards = useMemo(() => Object.entries(ctx.state.boards).filter(([, b]) => b.kind !== 'breakout'), [ctx.state.boards])
  const create = async (e: Event) => {
    e.preventDefault()
    const clean = title.trim()
    if (!clean) return
    const name = boardName(clean, ctx.state.boards)
    const r = await run(() => command(ctx.sessionId, ctx.token, 'boards', { name, title: clean, open_to_all: true }), 'boards.created')
    if (r !== null) {
      setTitle('')
      ctx.goTo(name)
    }
  }
  return (
    <section aria-labelledby="boards-h" class="panel">
      <h2 id="boards-h">{t('boards.title')}</h2>
      <p class="hint">{t('boards.leadHint')}</p>
      <div class="buttons">
        <button type="button" class="primary" onClick={ctx.bringHere} data-testid="bring-here">
          {t('boards.bringHere')}
        </button>
        <button type="button" aria-pressed={ctx.leading} onClick={() => ctx.lead(!ctx.leading)} data-testid="follow-me">
          {t('boards.followMe')}
        </button>
      </div>
      <ul class="board-list">
        {boards.map(([name, b]) => (
          <li key={name} class={name === ctx.board ? 'here' : ''}>
            <button type="button" class="link" onClick={() => ctx.goTo(name)} aria-current={name === ctx.board ? 'page' : undefined}>
              {boardTitle(ctx.state, name)}
            </button>
            {b.kind === 'board' && (
              <label class="check small">
                <input
                  type="checkbox"
                  checked={b.open_to_all}
                  onChange={(e) =>
                    run(() =>
                      sessionCall('patch', ctx.sessionId, ctx.token, 'boards/{board}', { board: name }, {
                        open_to_all: (e.target as HTMLInputElement).checked,
                      }),
                    )
                  }
                />
                {t('boards.openToAll')}
              </label>
            )}
          </li>
        ))}
      </ul>
      <form class="stack" onSubmit={create}>
        <label for="board-title">{t('boards.newTitle')}</label>
        <div class="row">
          <input id="board-title" value={title} maxLength={80} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
          <button type="submit" disabled={busy || !title.trim()}>
            {t('boards.create')}
          </button>
        </div>
      </form>
      <ErrorText error={error} />
    </section>
  )
}
