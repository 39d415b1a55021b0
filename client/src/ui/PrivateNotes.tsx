// A participant's private notes while private writing is on: written on a board of their
// own that only they can open (the server refuses everyone else, facilitators too), so
// nobody else's browser ever receives them. The facilitator's reveal copies them to the
// shared board; until then the writer adds, edits and deletes them here.

import { useEffect, useRef, useState } from 'preact/hooks'
import { useI18n } from '../i18n'
import { type PrivateWriting, privateBoard } from '../lib/control'
import { useDocumentVersion } from './board/useDocumentVersion'
import type { BoardModel } from '../lib/board'
import { useBoard } from './hooks'

const MAX_NOTES = 100 // a private board holds no more (rooms/private.py)
const MAX_TEXT = 2000 // a revealed note keeps no more characters
const REOPEN_MAX_MS = 5000

export function PrivateNotes(props: {
  sessionId: string
  token: string
  writing: PrivateWriting
  me: { id: string; name: string }
}) {
  const { t } = useI18n()
  const board = privateBoard(props.writing, props.me.id)
  const { conn, model, synced, health } = useBoard(props.sessionId, board, props.token, null)
  // A reveal that the shared board had no room for closed this socket (4403) before it
  // put the writing back on; a refused socket is not retried by itself, so while the
  // writing is on (this is shown only then) it is opened again, waiting longer each time.
  const refusals = useRef(0)
  useEffect(() => {
    if (health.refusedCode !== 4403 || !conn) return
    const wait = Math.min(REOPEN_MAX_MS, 250 * 2 ** refusals.current++)
    const timer = setTimeout(() => conn.retry(), wait)
    return () => clearTimeout(timer)
  }, [health.refusedCode, health.health, conn])
  return (
    <section class="private-notes" aria-labelledby="private-h" data-testid="private-notes">
      <h2 id="private-h">{t('private.title')}</h2>
      <p class="hint">{t('private.only')}</p>
      {model && synced ? <NoteList model={model} me={props.me} /> : <p>{t('private.loading')}</p>}
    </section>
  )
}

function NoteList({ model, me }: { model: BoardModel; me: { id: string; name: string } }) {
  const { t } = useI18n()
  useDocumentVersion(model)
  const [draft, setDraft] = useState('')
  const notes = [...model.notes.values()].sort((a, b) => a.created_at - b.created_at)
  const full = notes.length >= MAX_NOTES
  const add = (e: Event) => {
    e.preventDefault()
    const text = draft.trim()
    if (!text || full) return
    const n = notes.length
    model.createNote(me, { x: (n % 4) * 200, y: Math.floor(n / 4) * 140 }, 'yellow', text)
    setDraft('')
  }
  return (
    <>
      <form class="private-add" onSubmit={add}>
        <label for="private-new">{t('private.new')}</label>
        <textarea
          id="private-new"
          rows={2}
          maxLength={MAX_TEXT}
          value={draft}
          onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)}
          data-testid="private-new"
        />
        <button type="submit" class="primary" disabled={!draft.trim() || full} data-testid="private-add">
          {t('private.add')}
        </button>
      </form>
      <p aria-live="polite">{t('private.count', { n: notes.length })}</p>
      <ul class="private-list">
        {notes.map((n, i) => (
          <li key={n.id} data-testid="private-note">
            <label class="sr-only" for={`private-${n.id}`}>
              {t('private.edit', { n: i + 1 })}
            </label>
            <textarea
              id={`private-${n.id}`}
              rows={2}
              maxLength={MAX_TEXT}
              value={n.text}
              onInput={(e) => model.setText(n.id, (e.target as HTMLTextAreaElement).value)}
            />
            <button type="button" class="small" onClick={() => model.deleteNotes([n.id])} data-testid="private-delete">
              {t('private.delete')}
            </button>
          </li>
        ))}
      </ul>
    </>
  )
}
