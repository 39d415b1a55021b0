// The board page for facilitators and participants: the board in the middle, the session
// (agenda item, timer, connection) on top, people, polls, summaries and — for facilitators —
// the controls at the side. Which board is shown follows the session: your breakout room
// while a round is open, the agenda item's board, or where a facilitator brings everyone.

import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { errorText, type Key, useI18n } from '../i18n'
import { command, sessionCall, statusOf } from '../lib/api'
import type { NoteSnap } from '../lib/board'
import { clock } from '../lib/clock'
import type { Presence } from '../lib/connection'
import { boardFor, type ControlState, currentItem, type Poll } from '../lib/control'
import { newestPick } from '../lib/follow'
import { activeLead, type LeadMode, Pacer } from '../lib/lead'
import {
  answeredPolls,
  deviceId,
  facilitatorInfo,
  type ParticipantCreds,
  saveAnsweredPoll,
  savedName,
  saveFacilitator,
  takeBotToken,
  takeFacilitatorToken,
} from '../lib/store'
import { visibleTimer } from '../lib/timer'
import { ReactionBar } from './Reactions'
import { Board, type BoardLocks, type Focus, type Voting } from './board'
import { announce, Confirm, ConnectionBanner, LanguageSwitch } from './common'
import { EndSession, type FacilitatorCtx, FacilitatorPanel, HelpCalls, SummaryPanel, useBoardTitle, VoteResults } from './facilitator'
import { useBoard, useControl, usePrevious } from './hooks'
import { HarvestBar, MessagePopup, PollDialog, PollList, RoomBanner, RoomChooser } from './Participant'
import { Glyph } from './Glyph'
import { Labelled } from './Icons'
import { PrivateNotes } from './PrivateNotes'
import { SideSheet } from './SideSheet'
import {
  AgendaList,
  AgendaNow,
  PeopleList,
  SessionEnded,
  SoundToggle,
  Summaries,
  TimerView,
  useSound,
  useTimerMilestones,
} from './Widgets'

const PRESENCE_COLORS = ['#b3261e', '#1a5fb4', '#26734d', '#8a4b00', '#6b2fa0', '#00616b', '#9c1c6b', '#3d5a00']

export function colorFor(id: string): string {
  let h = 0
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) >>> 0
  return PRESENCE_COLORS[h % PRESENCE_COLORS.length]
}

type Tab = 'share' | 'agenda' | 'timer' | 'breakouts' | 'vote' | 'poll' | 'private' | 'boards' | 'people' | 'summaries' | 'admin'

const TAB_KEYS: Record<Tab, Key> = {
  share: 'tab.share',
  agenda: 'tab.agenda',
  timer: 'tab.timer',
  breakouts: 'tab.breakouts',
  vote: 'tab.vote',
  poll: 'tab.poll',
  private: 'tab.private',
  boards: 'tab.boards',
  people: 'tab.people',
  summaries: 'tab.summaries',
  admin: 'tab.admin',
}

export function writable(state: ControlState, board: string, facilitator: boolean, room: string | null): boolean {
  if (facilitator) return true
  if (typeof state.session.ended_at === 'number') return false // an ended session is read-only
  // while private writing is on, a participant's notes for its board go to their private one
  if (state.privateWriting?.state === 'open' && state.privateWriting.board === board) return false
  if (state.boards[board]?.locked) return false // a locked board is the facilitators'
  if (board === 'main') return true
  if (room === board) return true
  return state.boards[board]?.open_to_all === true && state.boards[board]?.kind !== 'breakout'
}

/** How many people have a hand up. */
const raisedHands = (state: ControlState) => Object.values(state.reactions).filter((r) => r && r.hand !== null).length

/** What a facilitator locked on `board` for participants (the server enforces it). */
function boardLocks(state: ControlState, board: string): BoardLocks {
  const info = state.boards[board]
  return { positions: !!info?.positions_locked, sections: info?.locked_sections ?? [] }
}

// A facilitator's "follow me" sends their view at most this often while it moves.
const LEAD_INTERVAL_MS = 300

type LeadBody = { mode: LeadMode; board: string; x: number; y: number; zoom: number }

export function SessionPage(props: {
  sessionId: string
  role: 'facilitator' | 'participant'
  participant?: ParticipantCreds
  onLeave?: () => void
}) {
  const { t, lang } = useI18n()
  const boardTitle = useBoardTitle()
  const { sessionId, role } = props
  const [facilitatorToken] = useState(() => (role === 'facilitator' ? takeFacilitatorToken(sessionId) : null))
  const [botToken, setBotToken] = useState(() => (role === 'facilitator' ? takeBotToken(sessionId) : null))
  const token = role === 'facilitator' ? facilitatorToken : (props.participant?.token ?? null)
  const myId = props.participant?.participant_id ?? deviceId()
  const myName = props.participant?.name ?? (savedName() || t('role.facilitator'))
  const presence = useMemo<Presence>(() => ({ id: myId, name: myName, role, color: colorFor(myId) }), [myId, myName, role])
  const control = useControl(sessionId, token, presence)
  const st = control.state
  const isFac = role === 'facilitator' || st.roster[myId]?.role === 'facilitator'
  const inRoster = myId in st.roster
  const ended = typeof st.session.ended_at === 'number'
  const [sound, setSound] = useSound(role)
  const [leaving, setLeaving] = useState(false)

  // ---- which board ------------------------------------------------------------------------
  const [pick, setPick] = useState<{ board: string; at: number }>({ board: 'main', at: 0 })
  const roomBoard = !isFac ? boardFor(st.round, myId) : null
  // a participant may stop following a facilitator's view; they follow again at the next "follow me"
  const [stoppedFollowing, setStoppedFollowing] = useState(false)
  const led = isFac ? null : activeLead(st.lead, stoppedFollowing)
  const item = currentItem(st.agenda)
  const agendaPick = item?.board && st.agenda.started_at ? { board: item.board, at: st.agenda.started_at } : null
  const leadPick = led ? { board: led.board, at: led.at } : null
  let board = roomBoard ?? newestPick(pick, agendaPick, leadPick)
  // A pick made here is newer than every pick this page has seen, whatever this clock's
  // estimate of the server's time: a refusal or a choice right after a lead must win.
  const seenPickAt = useRef(0)
  seenPickAt.current = Math.max(agendaPick?.at ?? 0, leadPick?.at ?? 0)
  const pickHere = useCallback((b: string) => {
    setPick({ board: b, at: Math.max(clock.serverNow(), seenPickAt.current + 1) })
  }, [])
  if (board !== 'main' && control.synced && !(board in st.boards)) board = 'main'
  const following = st.lead?.mode === 'follow' && !isFac
  const followingRef = useRef(following)
  followingRef.current = following
  const goTo = useCallback((b: string) => {
    if (followingRef.current) setStoppedFollowing(true) // choosing a board of one's own
    pickHere(b)
  }, [])
  useEffect(() => {
    if (st.lead?.mode !== 'follow') setStoppedFollowing(false)
  }, [st.lead?.mode])

  const boardConn = useBoard(sessionId, board, token, presence)
  const canWrite = writable(st, board, isFac, roomBoard)
  // A breakout board closed to us (4403: moved out, another room chosen, a confidential
  // room): go where control says we belong. With a room of our own, `board` already
  // follows control to it; without one, back to main. The provider does not retry 44xx.
  const refusedHere = boardConn.health.refusedCode === 4403 && board.startsWith('breakout-')
  useEffect(() => {
    if (refusedHere && !isFac && roomBoard === null) pickHere('main')
  }, [refusedHere, roomBoard])

  // ---- announcements: moves, notices, summaries, timer milestones -------------------------
  const prevRoom = usePrevious(roomBoard)
  useEffect(() => {
    if (prevRoom === undefined || prevRoom === roomBoard) return
    if (roomBoard) {
      const room = st.round?.rooms.find((r) => r.board === roomBoard)
      announce(t('room.moved', { room: room ? boardTitle(st, room.board) : roomBoard }), true)
    } else {
      // back from a room means main, whatever board was chosen before the round opened
      // (an earlier round's room, for its harvest)
      pickHere('main')
      announce(t('room.back'), true)
    }
  }, [roomBoard])
  const lastNotice = useRef<number | null>(null)
  useEffect(() => {
    if (!control.synced) return
    const n = st.notices[myId]
    if (lastNotice.current === null) {
      lastNotice.current = n?.at ?? 0
      return
    }
    if (n && n.at > lastNotice.current) {
      lastNotice.current = n.at
      if (n.text && n.room !== roomBoard) announce(n.text, true)
    }
  }, [st.notices, control.synced])
  const summaryCount = usePrevious(st.summaries.length)
  useEffect(() => {
    if (control.synced && summaryCount !== undefined && st.summaries.length > summaryCount && summaryCount > 0) {
      announce(t('summaries.new'), true)
    }
  }, [st.summaries.length])
  const roomForTimer = roomBoard ?? (board.startsWith('breakout-') ? board : null)
  const timer = visibleTimer(st.timers, roomForTimer)
  useTimerMilestones(ended ? null : timer, sound) // the session's end is no "time's up"
  const wasEnded = usePrevious(ended)
  useEffect(() => {
    if (control.synced && wasEnded === false && ended) announce(t('ended.title'), true)
  }, [ended])

  // ---- lead: bring everyone to me, follow me ----------------------------------------------
  // Participants are led by control's `lead`, which only a facilitator's command writes.
  const leadIsNewest = leadPick !== null && leadPick.at >= pick.at && leadPick.at >= (agendaPick?.at ?? 0)
  const leadFocus = useMemo<Focus | null>(
    () => (led && !roomBoard && leadIsNewest && board === led.board ? { cx: led.x, cy: led.y, scale: led.zoom } : null),
    [led?.at, led?.mode, board, roomBoard, leadIsNewest],
  )
  const seenLead = useRef<{ at: number; mode: LeadMode | null } | null>(null)
  useEffect(() => {
    if (isFac || !control.synced) return
    const before = seenLead.current
    const now = { at: st.lead?.at ?? 0, mode: st.lead?.mode ?? null }
    seenLead.current = now
    if (!before || now.at <= before.at || !st.lead) return // what was there on arrival is old news
    if (now.mode === 'bring') announce(t('lead.brought', { board: boardTitle(st, st.lead.board) }), true)
    else if (now.mode === 'follow' && before.mode !== 'follow') announce(t('lead.following'), true)
    else if (now.mode === null && before.mode === 'follow') announce(t('lead.ended'), true)
  }, [st.lead?.at, control.synced])

  // A facilitator leads: "bring" once, or "follow me" with their view sent as it moves.
  const [leading, setLeading] = useState(false)
  const leadingRef = useRef(leading)
  leadingRef.current = leading
  const boardRef = useRef(board)
  boardRef.current = board
  const lastView = useRef<Focus | null>(null)
  const leadSince = useRef(0) // server time this browser began leading
  const myLead = useRef<string | null>(null) // `by` of this browser's lead commands
  const leadBody = (mode: LeadMode): LeadBody => {
    const v = lastView.current ?? { cx: 0, cy: 0, scale: 1 }
    return { mode, board: boardRef.current, x: Math.round(v.cx), y: Math.round(v.cy), zoom: v.scale }
  }
  const sendLead = useCallback(
    async (body: LeadBody) => {
      if (!token) return
      try {
        myLead.current = (await command(sessionId, token, 'lead', body)).by
      } catch (err) {
        announce(errorText(t, err), true)
        throw err
      }
    },
    [sessionId, token, lang],
  )
  const pacer = useMemo(() => new Pacer<LeadBody>(LEAD_INTERVAL_MS, sendLead), [sendLead])
  useEffect(() => () => pacer.cancel(), [pacer])
  const bringHere = () => {
    sendLead(leadBody(leading ? 'follow' : 'bring'))
      .then(() => announce(t('boards.broughtHere'), true))
      .catch(() => {})
  }
  const lead = (on: boolean) => {
    leadSince.current = clock.serverNow()
    setLeading(on)
    if (on) {
      pacer.push(leadBody('follow'))
      announce(t('boards.leading'))
      return
    }
    pacer.cancel()
    sessionCall('delete', sessionId, token, 'lead')
      .then(() => announce(t('boards.notLeading')))
      .catch((err) => announce(errorText(t, err), true))
  }
  useEffect(() => {
    if (leading) pacer.push(leadBody('follow'))
  }, [board])
  useEffect(() => {
    // another facilitator took the lead, or stopped it: this browser stops sending its view
    const l = st.lead
    if (!leading || !l || l.at <= leadSince.current) return
    if (l.mode !== 'follow' || (myLead.current !== null && l.by !== myLead.current)) setLeading(false)
  }, [st.lead?.at])
  const onViewChange = useCallback(
    (f: Focus) => {
      lastView.current = f
      if (leadingRef.current) pacer.push(leadBody('follow'))
    },
    [pacer],
  )

  // ---- votes --------------------------------------------------------------------------------
  const openVote = st.votes.find((v) => v.state === 'open' && v.board === board) ?? null
  const [mine, setMine] = useState<{ vote: string; dots: Record<string, number>; remaining: number } | null>(null)
  useEffect(() => {
    setMine(null)
    if (!openVote || !inRoster || !token) return
    sessionCall('get', sessionId, token, 'votes/{vote_id}/dots', { vote_id: openVote.id })
      .then(setMine)
      .catch(() => setMine({ vote: openVote.id, dots: {}, remaining: openVote.per_participant }))
  }, [openVote?.id, inRoster])
  const voting: Voting | null = useMemo(() => {
    if (!openVote || !inRoster || !token) return null
    const dots = mine?.vote === openVote.id ? mine.dots : {}
    const left = mine?.vote === openVote.id ? mine.remaining : openVote.per_participant
    return {
      title: openVote.title,
      remaining: left,
      perNote: openVote.per_note,
      mine: dots,
      eligible: (n: NoteSnap) => !openVote.section || n.section === openVote.section,
      dot: async (note: string, add: boolean) => {
        try {
          const r = add
            ? await command(sessionId, token, 'votes/{vote_id}/dots', { vote_id: openVote.id }, { note })
            : await sessionCall('delete', sessionId, token, 'votes/{vote_id}/dots/{note}', { vote_id: openVote.id, note })
          if (r) setMine(r)
          announce(t(add ? 'vote.placed' : 'vote.removed', { count: r?.remaining ?? 0 }))
        } catch (err) {
          announce(statusOf(err) === 409 ? t(add ? 'vote.limit' : 'vote.noDot') : errorText(t, err), true)
        }
      },
    }
  }, [openVote, mine, inRoster, token, lang])
  const revealed = [...st.votes].reverse().find((v) => v.state === 'revealed' && v.board === board) ?? null
  const results = useMemo(
    () => (revealed?.results ? new Map(revealed.results.map((r) => [r.note, { dots: r.dots, rank: r.rank }])) : null),
    [revealed],
  )

  // ---- polls --------------------------------------------------------------------------------
  const [answered, setAnswered] = useState(() => answeredPolls(sessionId))
  const [later, setLater] = useState<Set<string>>(new Set())
  const [answering, setAnswering] = useState<Poll | null>(null)
  const pending = inRoster ? st.polls.find((p) => p.state === 'open' && !answered.has(p.id) && !later.has(p.id)) : undefined
  const pollShown = answering ?? pending ?? null
  const markAnswered = (id: string) => {
    saveAnsweredPoll(sessionId, id)
    setAnswered(answeredPolls(sessionId))
    setAnswering(null)
  }
  const prevPolls = usePrevious(st.polls)
  useEffect(() => {
    if (!prevPolls) return
    for (const p of st.polls) {
      const before = prevPolls.find((q) => q.id === p.id)
      if (before && before.state === 'open' && p.state === 'closed') announce(t('poll.resultsIn'), true)
    }
  }, [st.polls])

  // ---- private writing ----------------------------------------------------------------------
  // A participant writes on a board of their own while it is on (the server lets nobody
  // else open it); at the reveal the notes appear on the shared board, where we go.
  const writing = st.privateWriting
  const writingOpen = writing?.state === 'open' && !isFac && inRoster && !roomBoard ? writing : null
  const wasWriting = usePrevious(writing?.state)
  useEffect(() => {
    if (!control.synced || !writing || wasWriting !== 'open' || writing.state !== 'revealed') return
    if (!isFac) {
      announce(t('private.ended'), true)
      goTo(writing.board)
    }
  }, [writing?.state])

  // ---- harvest ------------------------------------------------------------------------------
  const [selection, setSelection] = useState<string[]>([])
  const closedRound = st.round && st.round.state === 'closed' ? st.round : null
  const myClosedRoom = closedRound?.rooms.find((r) => r.members.includes(myId)) ?? null
  const harvestRoom = closedRound?.rooms.find((r) => r.board === board && (isFac || r.members.includes(myId))) ?? null

  // ---- side panel ---------------------------------------------------------------------------
  const tabs: Tab[] = isFac
    ? ['share', 'agenda', 'timer', 'breakouts', 'vote', 'poll', 'private', 'boards', 'people', 'summaries', 'admin']
    : ['people', 'agenda', 'poll', 'summaries']
  const [tab, setTab] = useState<Tab>(isFac ? 'share' : 'people')
  const activeTab = tabs.includes(tab) ? tab : tabs[0]
  const ctx: FacilitatorCtx | null =
    isFac && token
      ? {
          sessionId,
          token,
          state: st,
          board,
          goTo,
          model: boardConn.model,
          info: facilitatorInfo(sessionId),
          botToken,
          setBotToken,
          bringHere,
          leading,
          lead,
        }
      : null

  useEffect(() => {
    document.title = `${st.session.title || t('app.name')} · Paja`
  }, [st.session.title, lang])
  useEffect(() => {
    // the start page lists the sessions this browser facilitates, by title
    const info = facilitatorInfo(sessionId)
    if (role === 'facilitator' && st.session.title && info?.title !== st.session.title) {
      saveFacilitator(sessionId, { ...info, title: st.session.title })
    }
  }, [st.session.title])

  const health = control.health.banner ? control.health : boardConn.health
  const participantBoards = Object.entries(st.boards).filter(
    ([name, b]) => name === board || b.kind === 'main' || b.kind === 'board' || (myClosedRoom && name === myClosedRoom.board),
  )

  if (!token) {
    return (
      <main class="page narrow">
        <h1>{t('session.noToken')}</h1>
        <p>
          <a href="/">{t('missing.home')}</a>
        </p>
      </main>
    )
  }

  const boardName = boardTitle(st, board)
  return (
    <div class="app">
      <a class="skip" href="#board-canvas-anchor" onClick={(e) => (e.preventDefault(), document.querySelector<HTMLElement>('.canvas')?.focus())}>
        {t('skip.board')}
      </a>
      <header class="topbar">
        <span class="brand" aria-hidden="true">
          Paja
        </span>
        <h1 class="session-title" title={st.session.title || undefined}>
          {st.session.title || '…'}
        </h1>
        <AgendaNow state={st} />
        {!ended && <TimerView timer={timer} agenda={st.agenda} />}
        <span class="spacer" />
        <span class="topbar-break" />
        <label class="board-switch">
          <span>{t('board.current')}</span>
          <select value={board} onChange={(e) => goTo((e.target as HTMLSelectElement).value)} disabled={!!roomBoard} data-testid="board-select">
            {(isFac ? Object.entries(st.boards) : participantBoards).map(([name]) => (
              <option value={name} key={name}>
                {boardTitle(st, name, true)}
              </option>
            ))}
            {!(board in st.boards) && <option value={board}>{board}</option>}
          </select>
        </label>
        <SoundToggle on={sound} onChange={setSound} />
        <LanguageSwitch />
        {props.onLeave && (
          <button type="button" class="small iconic" onClick={() => setLeaving(true)} data-testid="leave" title={t('session.leave')}>
            <Labelled icon="leave">{t('session.leave')}</Labelled>
          </button>
        )}
      </header>
      <ConnectionBanner view={health} />
      {ended && <SessionEnded state={st} facilitator={isFac} />}
      {isFac && (leading || st.lead?.mode === 'follow') && (
        <div class="info-bar" data-testid="leading-bar">
          <p>{leading ? t('boards.leading') : t('boards.leadElsewhere')}</p>
          <button type="button" onClick={() => lead(false)}>
            {t('boards.stopLeading')}
          </button>
        </div>
      )}
      {following && !roomBoard && (
        <div class="info-bar" data-testid="follow-bar" data-at={st.lead?.at}>
          <p>{stoppedFollowing ? t('lead.stopped') : t('lead.following')}</p>
          <button
            type="button"
            onClick={() => {
              if (stoppedFollowing) setPick({ board: 'main', at: 0 }) // the lead is newest again
              setStoppedFollowing(!stoppedFollowing)
            }}
          >
            {stoppedFollowing ? t('lead.resume') : t('lead.stop')}
          </button>
        </div>
      )}
      {roomBoard && st.round && (
        <RoomBanner round={st.round} board={roomBoard} me={myId} state={st} sessionId={sessionId} token={token} />
      )}
      {!isFac && st.round && st.round.capacity !== null && st.round.state === 'draft' && inRoster && (
        <RoomChooser round={st.round} me={myId} sessionId={sessionId} token={token} state={st} />
      )}
      {!roomBoard && myClosedRoom && board !== myClosedRoom.board && !isFac && !ended && (
        <div class="info-bar">
          <p>{t('harvest.offer', { room: boardTitle(st, myClosedRoom.board) })}</p>
          <button type="button" onClick={() => goTo(myClosedRoom.board)}>
            {t('harvest.open')}
          </button>
        </div>
      )}
      {harvestRoom && closedRound && !ended && (
        <HarvestBar
          sessionId={sessionId}
          token={token}
          roundId={closedRound.id}
          room={harvestRoom.id}
          roomName={boardTitle(st, harvestRoom.board)}
          selected={selection}
          onDone={() => goTo('main')}
        />
      )}
      <div class="workspace">
        {writingOpen && <PrivateNotes sessionId={sessionId} token={token} writing={writingOpen} me={{ id: myId, name: myName }} />}
        <main class="board-area" id="board-canvas-anchor">
          <h2 class="sr-only">{t('board.label', { board: boardName })}</h2>
          {boardConn.model && (
            <Board
              key={board}
              model={boardConn.model}
              conn={boardConn.conn}
              me={{ id: myId, name: myName }}
              sessionLang={st.session.language}
              label={t('board.label', { board: boardName })}
              readOnly={!canWrite}
              locks={isFac ? null : boardLocks(st, board)}
              voting={voting}
              results={results}
              lead={leadFocus}
              onViewChange={onViewChange}
              onSelection={setSelection}
            />
          )}
          {/* while writing privately, the panel beside the board says where notes go */}
          {!canWrite && writingOpen?.board !== board && <p class="readonly-note">{t('board.readOnly')}</p>}
        </main>
        <SideSheet label={t('side.label')}>
          <div class="tabs" role="tablist" aria-label={t('side.label')}>
            {tabs.map((id) => (
              <button
                type="button"
                role="tab"
                key={id}
                id={`tab-${id}`}
                aria-selected={activeTab === id}
                aria-controls="side-panel"
                tabIndex={activeTab === id ? 0 : -1}
                onClick={() => setTab(id)}
                onKeyDown={(e) => {
                  const i = tabs.indexOf(id)
                  const next =
                    e.key === 'ArrowDown' || e.key === 'ArrowRight'
                      ? tabs[(i + 1) % tabs.length]
                      : e.key === 'ArrowUp' || e.key === 'ArrowLeft'
                        ? tabs[(i - 1 + tabs.length) % tabs.length]
                        : e.key === 'Home'
                          ? tabs[0]
                          : e.key === 'End'
                            ? tabs[tabs.length - 1]
                            : null
                  if (next) {
                    e.preventDefault()
                    setTab(next)
                    document.getElementById(`tab-${next}`)?.focus()
                  }
                }}
                data-testid={`tab-${id}`}
              >
                {t(TAB_KEYS[id])}
                {id === 'summaries' && st.summaries.length > 0 && <span class="count"> {st.summaries.length}</span>}
                {id === 'breakouts' && st.round?.rooms.some((r) => r.help_requested_at) && <span class="count"> !</span>}
                {id === 'people' && isFac && raisedHands(st) > 0 && <span class="count"> <Glyph emoji="✋" />{raisedHands(st)}</span>}
              </button>
            ))}
          </div>
          <div id="side-panel" role="tabpanel" aria-labelledby={`tab-${activeTab}`} class="side-panel" tabIndex={0}>
            {ctx && <FacilitatorPanel tab={activeTab} ctx={ctx} />}
            {activeTab === 'agenda' && !ctx && (
              <section class="panel">
                <h2>{t('agenda.title')}</h2>
                <AgendaList items={st.agenda.items} current={st.agenda.current} lang={lang} />
              </section>
            )}
            {activeTab === 'poll' && !ctx && (
              <section class="panel">
                <h2>{t('poll.title')}</h2>
                {revealed && <VoteResults vote={revealed} model={boardConn.model} />}
                <PollList state={st} answered={answered} onAnswer={setAnswering} />
              </section>
            )}
            {activeTab === 'people' && (
              <section class="panel">
                <h2>{t('people.title')}</h2>
                {inRoster && token && !ended && <ReactionBar sessionId={sessionId} token={token} me={myId} state={st} />}
                <PeopleList state={st} online={control.online} me={myId} />
              </section>
            )}
            {activeTab === 'summaries' && (
              <section class="panel">
                <h2>{t('summaries.title')}</h2>
                <Summaries state={st} />
                {ctx && <SummaryPanel ctx={ctx} author={myName} />}
                {ctx && <EndSession ctx={ctx} />}
              </section>
            )}
          </div>
        </SideSheet>
      </div>
      {ctx && <HelpCalls ctx={ctx} />}
      {roomBoard && st.round && !isFac && <MessagePopup round={st.round} board={roomBoard} />}
      {leaving && props.onLeave && (
        <Confirm
          title={t('leave.title')}
          body={t('leave.body')}
          yes={t('session.leave')}
          no={t('leave.stay')}
          onYes={props.onLeave}
          onNo={() => setLeaving(false)}
        />
      )}
      {pollShown && (
        <PollDialog
          poll={pollShown}
          sessionId={sessionId}
          token={token}
          onAnswered={() => markAnswered(pollShown.id)}
          onLater={() => {
            setLater(new Set([...later, pollShown.id]))
            setAnswering(null)
          }}
        />
      )}
    </div>
  )
}
