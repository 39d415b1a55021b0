// The Lab's big screen: read-only, full screen, the board the session is on fitted (or the
// one a facilitator pinned it to), a big timer, the current agenda item, and how to join
// (code, short link and QR code). Readable from the back of the room: large type, high
// contrast, nothing that moves but the timer digits, nobody's cursor. Its language is its
// own (chosen on it and remembered apart from the app's), never the session's to change.

import { useEffect, useMemo, useState } from 'preact/hooks'
import { I18nContext, type Lang, LANGS, translate, useI18n } from '../i18n'
import { codeLink } from '../lib/api'
import { currentItem, itemInstructions, itemTitle } from '../lib/control'
import { displayBoard } from '../lib/follow'
import { deviceId, hashParams, savedDisplayLang, saveDisplayLang } from '../lib/store'
import { formatClock, shownTimer } from '../lib/timer'
import { Board } from './board'
import { useBoardTitle } from './facilitator'
import { ConnectionBanner, LanguageSwitch } from './common'
import { useBoard, useControl, useServerNow } from './hooks'
import { QrCode } from './qr'
import { DisplayReactions } from './Reactions'
import { SessionEnded, SoundToggle, TimerView, useSound, useTimerMilestones } from './Widgets'

const asLang = (v: unknown): Lang | null => ((LANGS as unknown[]).includes(v) ? (v as Lang) : null)

export function DisplayPage({ sessionId }: { sessionId: string }) {
  const app = useI18n()
  const token = hashParams().get('token')
  const presence = useMemo(() => ({ id: deviceId(), name: app.t('display.name'), role: 'observer', color: '#444' }), [])
  const control = useControl(sessionId, token, presence)
  const [chosen, setChosen] = useState<Lang | null>(() => asLang(savedDisplayLang()))
  const lang = chosen ?? app.lang
  const i18n = useMemo(
    () => ({
      lang,
      setLang: (l: Lang) => {
        saveDisplayLang(l)
        setChosen(l)
      },
      t: (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate(lang, key, params),
    }),
    [lang],
  )
  return (
    <I18nContext.Provider value={i18n}>
      <DisplayView sessionId={sessionId} token={token} control={control} />
    </I18nContext.Provider>
  )
}

function DisplayView({ sessionId, token, control }: { sessionId: string; token: string | null; control: ReturnType<typeof useControl> }) {
  const { t, lang } = useI18n()
  const boardTitle = useBoardTitle()
  const ask = hashParams().get('ask') ?? ''
  const st = control.state
  const board = control.synced ? displayBoard(st) : 'main'
  const shown = useBoard(sessionId, board, token, null)
  const [isFull, setFull] = useState(false)
  const round = st.round && (st.round.state === 'open' || st.round.state === 'closing') ? st.round : null
  const now = useServerNow(1000, round !== null)
  const timer = shownTimer(st.timers)
  const ended = typeof st.session.ended_at === 'number'
  const [sound, setSound] = useSound('display')
  useTimerMilestones(ended ? null : timer, sound)
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
      <main class="page narrow" lang={lang}>
        <h1>{t('session.noToken')}</h1>
      </main>
    )
  }
  const until = round ? (round.state === 'closing' ? round.closes_at : round.ends_at) : null
  return (
    <div class="display-page" lang={lang}>
      <header class="display-head">
        <h1>{st.session.title || '…'}</h1>
        {item && (
          <p class="display-item" data-testid="display-agenda">
            <span class="agenda-step">{t('agenda.step', { n: st.agenda.items.indexOf(item) + 1, total: st.agenda.items.length })}</span>
            <span class="agenda-title">{itemTitle(item, lang)}</span>
          </p>
        )}
        <p class="display-board-name" data-testid="display-board" data-board={board}>
          {t('display.board', { board: board === 'main' ? t('board.main') : boardTitle(st, board) })}
        </p>
        <LanguageSwitch />
        {!isFull && <SoundToggle on={sound} onChange={setSound} />}
        {!isFull && (
          <button type="button" class="small" onClick={() => document.documentElement.requestFullscreen?.().catch(() => {})}>
            {t('display.fullscreen')}
          </button>
        )}
      </header>
      <ConnectionBanner view={control.health.banner ? control.health : shown.health} />
      <div class="display-body">
        <main class="display-board">
          {shown.model && (
            <Board
              key={board}
              model={shown.model}
              conn={shown.conn}
              me={{ id: 'display', name: '' }}
              label={t('board.label', { board: board === 'main' ? t('board.main') : boardTitle(st, board) })}
              readOnly
              display
              textLang={asLang(st.session.language) ?? undefined}
              results={results}
            />
          )}
        </main>
        <aside class="display-side">
          {ended ? (
            <SessionEnded state={st} />
          ) : round && until ? (
            <div class="timer big running" role="timer" data-testid="display-round">
              <span class="timer-label">{t('display.breakouts', { n: round.rooms.length })}</span>
              <span class="timer-digits">{formatClock(Math.max(0, until - now))}</span>
            </div>
          ) : (
            <TimerView timer={timer} agenda={st.agenda} big />
          )}
          <DisplayReactions state={st} />
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
