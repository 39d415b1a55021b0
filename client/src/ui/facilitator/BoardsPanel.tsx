// Boards: bring everyone to this board, lead their view ("follow me"), open boards to all,
// and create new ones.

import { useEffect, useMemo, useState } from 'preact/hooks'
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
      <BoardLocks ctx={ctx} />
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

/** Locks on the board the facilitator is on: the whole board, the notes' positions, or some
 *  sections. Participants' clients stop offering what is locked; the server refuses it
 *  from any client (docs/security.md, "Locks"). */
function BoardLocks({ ctx }: { ctx: FacilitatorCtx }) {
  const t = useT()
  const boardTitle = useBoardTitle()
  const { error, run } = useRunner()
  const [, setSeen] = useState(0)
  const model = ctx.model
  useEffect(() => {
    if (!model) return
    const redraw = () => setSeen((n) => n + 1)
    model.doc.on('update', redraw)
    return () => model.doc.off('update', redraw)
  }, [model])
  const info = ctx.state.boards[ctx.board]
  if (!info) return null
  const locked = info.locked_sections ?? []
  const patch = (body: { locked?: boolean; positions_locked?: boolean; locked_sections?: string[] }) =>
    run(() => sessionCall('patch', ctx.sessionId, ctx.token, 'boards/{board}', { board: ctx.board }, body), 'locks.saved')
  const sections = model ? [...model.sections.values()] : []
  return (
    <fieldset class="field locks" data-testid="board-locks">
      <legend>{t('locks.title', { board: boardTitle(ctx.state, ctx.board) })}</legend>
      <p class="hint">{t('locks.hint')}</p>
      <label class="check">
        <input type="checkbox" checked={!!info.locked} onChange={(e) => patch({ locked: (e.target as HTMLInputElement).checked })} data-testid="lock-board" />
        {t('locks.board')}
      </label>
      <label class="check">
        <input type="checkbox" checked={!!info.positions_locked} onChange={(e) => patch({ positions_locked: (e.target as HTMLInputElement).checked })} data-testid="lock-positions" />
        {t('locks.positions')}
      </label>
      {sections.map((section) => (
        <label class="check" key={section.id}>
          <input
            type="checkbox"
            checked={locked.includes(section.id)}
            onChange={(e) => {
              const on = (e.target as HTMLInputElement).checked
              void patch({ locked_sections: on ? [...locked, section.id] : locked.filter((id) => id !== section.id) })
            }}
            data-testid="lock-section"
          />
          {t('locks.section', { title: section.title || t('locks.untitled') })}
        </label>
      ))}
      <ErrorText error={error} />
    </fieldset>
  )
}
