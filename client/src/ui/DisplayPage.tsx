// The Lab's big screen: read-only, full screen, the main board fitted, a big timer, the
// current agenda item, and how to join (code, short link and QR code). Readable from the
// back of the room: large type, high contrast, nothing that moves but the timer digits.

import { useEffect, useMemo, useState } from 'preact/hooks'
import { useI18n } from '../i18n'
import { codeLink } from '../lib/api'
import { currentItem, itemInstructions, itemTitle } from '../lib/control'
import { deviceId, hashParams } from '../lib/store'
import { formatClock, visibleTimer } from '../lib/timer'
import { Board } from './board'
import { ConnectionBanner } from './common'
import { useBoard, useControl, useServerNow } from './hooks'
import { QrCode } from './qr'
import { TimerView } from './Widgets'

export function DisplayPage({ sessionId }: { sessionId: string }) {
  const { t, lang } = useI18n()
  const params = hashParams()
  const token = params.get('token')
  const ask = params.get('ask') ?? ''
  const presence = useMemo(() => ({ id: deviceId(), name: t('display.name'), role: 'observer', color: '#444' }), [])
  const control = useControl(sessionId, token, presence)
  const st = control.state
  const board = 'main'
  const main = useBoard(sessionId, board, token, null)
  const [isFull, setFull] = useState(false)
  const round = st.round && (st.round.state === 'open' || st.round.state === 'closing') ? st.round : null
  const now = useServerNow(1000, round !== null)
  const timer = visibleTimer(st.timers, null)
  const item = currentItem(st.agenda)
  const revealed = [...st.votes].reverse().find((v) => v.state === 'revealed' && v.board === board) ?? null
  const results = useMemo(
    () => (revealed?.results ? new Map(revealed.results.map((r) => [r.note, { dots: r.dots, rank: r.rank }])) : null),
    [revealed],
  )
  const code = typeof st.session.join_code === 'string' ? st.session.join_code : null
  const joinUrl = code ? codeLink(location.origin, code, ask) : null

  useEffect(() => {
    document.title = `${st.session.title || 'Paja'} · ${t('display.title')}`
  }, [st.session.title, lang])
  useEffect(() => {
    const on = () => setFull(!!document.fullscreenElement)
    document.addEventListener('fullscreenchange', on)
    return () => document.removeEventListener('fullscreenchange', on)
  }, [])

  if (!token) {
    return (
      <main class="page narrow">
        <h1>{t('session.noToken')}</h1>
      </main>
    )
  }
  const until = round ? (round.state === 'closing' ? round.closes_at : round.ends_at) : null
  return (
    <div class="display-page">
      <header class="display-head">
        <h1>{st.session.title || '…'}</h1>
        {item && (
          <p class="display-item" data-testid="display-agenda">
            <span class="agenda-step">{t('agenda.step', { n: st.agenda.items.indexOf(item) + 1, total: st.agenda.items.length })}</span>
            <span class="agenda-title">{itemTitle(item, lang)}</span>
          </p>
        )}
        {!isFull && (
          <button type="button" class="small" onClick={() => document.documentElement.requestFullscreen?.().catch(() => {})}>
            {t('display.fullscreen')}
          </button>
        )}
      </header>
      <ConnectionBanner view={control.health.banner ? control.health : main.health} />
      <div class="display-body">
        <main class="display-board">
          {main.model && <Board model={main.model} conn={main.conn} me={{ id: 'display', name: '' }} label={t('board.label', { board: t('board.main') })} readOnly display results={results} />}
        </main>
        <aside class="display-side">
          {round && until ? (
            <div class="timer big running" role="timer" data-testid="display-round">
              <span class="timer-label">{t('display.breakouts', { n: round.rooms.length })}</span>
              <span class="timer-digits">{formatClock(Math.max(0, until - now))}</span>
            </div>
          ) : (
            <TimerView timer={timer} agenda={st.agenda} big />
          )}
          {item?.instructions && <p class="display-instructions">{itemInstructions(item, lang)}</p>}
          <div class="join-box" data-testid="display-join">
            <h2>{t('display.join')}</h2>
            {code && joinUrl ? (
              <>
                <QrCode text={joinUrl} label={t('share.qr')} size={220} />
                <p class="join-code">
                  <span class="hint">{t('share.code')}</span>{' '}
                  <strong data-testid="display-code">{code}</strong>
                </p>
                <p class="join-host">{t('display.goTo', { address: joinUrl.replace(/^https?:\/\//, '').replace(/#.*/, '') })}</p>
              </>
            ) : (
              <p class="hint">{t('display.noJoin')}</p>
            )}
          </div>
        </aside>
      </div>
    </div>
  )
}
