// The `control` document (docs/schema.md): plain JSON values written only by the server.
// ControlModel reads it whole into a ControlState each time it changes.

import * as Y from 'yjs'
import { type Lead, readLead } from './lead'
import type { Timer } from './timer'

export interface Person {
  name: string
  tags: string[]
  role: 'participant' | 'facilitator'
  joined_at: number
}

export interface AgendaItem {
  id: string
  title: string
  titles: { fi?: string; sv?: string; en?: string } | null
  duration_ms: number
  board: string | null
  instructions: string
  instruction_texts?: { fi?: string; sv?: string; en?: string } | null
  steps?: AgendaStep[]
}

/** What the facilitator runs with one click when the item comes (docs/templates.md). */
export type AgendaStep =
  | { kind: 'breakout'; strategy: 'random' | 'balanced' | 'keep_apart'; group_size: number | null; rooms: number | null; key?: string | null; minutes: number }
  | { kind: 'feedback_polls'; presets: Array<'heard' | 'use'> }
  | { kind: 'dot_vote'; board: string; section: string | null; titles: { fi: string; sv: string; en: string }; per_participant: number }

export interface Agenda {
  items: AgendaItem[]
  current: string | null
  started_at: number | null
  /** The steps run so far: "item id/step index" -> epoch ms. */
  ran?: Record<string, number>
}

export interface Room {
  id: string
  name: string
  board: string
  members: string[]
  help_requested_at: number | null
  ends_at?: number | null // open: when this room's time is up (a room may have more time alone)
}

export interface Round {
  id: string
  number: number
  state: 'draft' | 'open' | 'closing' | 'closed'
  strategy: string
  rooms: Room[]
  unassigned: string[]
  capacity: number | null
  duration_ms: number
  opened_at: number | null
  ends_at: number | null
  closing_ms: number
  closes_at: number | null
  closed_at: number | null
  messages: Array<{ text: string; at: number; kind: 'broadcast' | 'time'; delta_ms?: number; room?: string }>
}

export interface PastRound {
  id: string
  number: number
  closed_at: number | null
  rooms: Array<{ id: string; name: string; board: string; members: string[] }>
}

export interface Notice {
  kind: string
  text: string
  room: string | null
  at: number
}

export interface Vote {
  id: string
  title: string
  board: string
  section: string | null
  per_participant: number
  per_note: number
  anonymous: boolean
  state: 'open' | 'closed' | 'revealed'
  dots_cast: number
  voters: number
  results: Array<{ note: string; dots: number; rank: number; voters: string[] | null }> | null
}

export interface Poll {
  id: string
  kind: 'choice' | 'scale' | 'text'
  question: string
  questions: { fi?: string; sv?: string; en?: string } | null
  preset: string | null
  options: Array<string | number> | null
  state: 'open' | 'closed'
  answers: number
  results: null | { counts?: Record<string, number>; mean?: number | null; texts?: string[] }
}

export interface BoardInfo {
  title: string
  titles?: { fi?: string; sv?: string; en?: string } | null // when the server made the title
  kind: 'main' | 'breakout' | 'board'
  open_to_all: boolean
  round: string | null
  locked?: boolean // only facilitators write it (the server enforces every lock)
  positions_locked?: boolean // participants move no note
  locked_sections?: string[] // these sections' notes are the facilitators' alone
}

/** A person's raised hand and latest quick reaction (docs/schema.md, `reactions`). */
export interface Signal {
  hand: number | null
  emoji: string | null
  at: number | null
}

export const EMOJIS = ['👍', '❤️', '😂', '❓'] as const

export interface Summary {
  id: string
  author: string
  markdown: string
  posted_at: number
  by: 'bot' | 'facilitator'
}

export interface SessionInfo {
  title: string
  template: string | null
  language: string | null
  created_at: number | null
  display_board?: string | null // the board the Lab display is pinned to
  programme?: string // the programme this session is an event (or a group's space) of
  [key: string]: unknown
}

/** Private writing (docs/schema.md, `private`): while `state` is open each participant
 *  writes on a board only they can open, and the facilitator reveals them on `board`. */
export interface PrivateWriting {
  id: string
  board: string
  section: string | null
  state: 'open' | 'revealed' | 'discarded'
  started_at: number
  ended_at: number | null
  anonymous: boolean | null
}

/** A participant's own private board in a writing (rooms/private.py board_name). */
export const privateBoard = (writing: PrivateWriting, participantId: string) =>
  `private-${writing.id}-${participantId.toLowerCase()}`

export interface ControlState {
  session: SessionInfo
  roster: Record<string, Person>
  agenda: Agenda
  timers: Timer[]
  round: Round | null
  history: PastRound[]
  notices: Record<string, Notice>
  votes: Vote[]
  polls: Poll[]
  boards: Record<string, BoardInfo>
  summaries: Summary[]
  lead: Lead | null
  privateWriting: PrivateWriting | null
  reactions: Record<string, Signal>
}

export const emptyControl = (): ControlState => ({
  session: { title: '', template: null, language: null, created_at: null },
  roster: {},
  agenda: { items: [], current: null, started_at: null, ran: {} },
  timers: [],
  round: null,
  history: [],
  notices: {},
  votes: [],
  polls: [],
  boards: {},
  summaries: [],
  lead: null,
  privateWriting: null,
  reactions: {},
})

const obj = <T>(v: unknown, fallback: T): T => (v && typeof v === 'object' ? (v as T) : fallback)

export function readControl(doc: Y.Doc): ControlState {
  const m = (name: string) => doc.getMap(name).toJSON() as Record<string, unknown>
  const session = m('session')
  const agenda = m('agenda')
  const breakouts = m('breakouts')
  const state = emptyControl()
  state.session = { ...state.session, ...session } as SessionInfo
  state.roster = obj(m('roster'), {})
  state.agenda = {
    items: Array.isArray(agenda.items) ? (agenda.items as AgendaItem[]) : [],
    current: typeof agenda.current === 'string' ? agenda.current : null,
    started_at: typeof agenda.started_at === 'number' ? agenda.started_at : null,
    ran: obj(agenda.ran, {}),
  }
  state.timers = Object.values(m('timers')).filter((t) => t && typeof t === 'object') as Timer[]
  state.round = obj<Round | null>(breakouts.round, null)
  state.history = Array.isArray(breakouts.history) ? (breakouts.history as PastRound[]) : []
  state.notices = obj(m('notices'), {})
  state.votes = Object.values(m('votes')).filter((v) => v && typeof v === 'object') as Vote[]
  state.polls = Object.values(m('polls')).filter((v) => v && typeof v === 'object') as Poll[]
  state.boards = obj(m('boards'), {})
  state.summaries = (doc.getArray('summaries').toJSON() as Summary[]).filter((s) => s && typeof s === 'object')
  state.lead = readLead(m('lead'))
  state.privateWriting = obj<PrivateWriting | null>(m('private').round, null)
  state.reactions = obj(m('reactions'), {})
  return state
}

/** The board a participant belongs on: their room's while a round is open or closing. */
export function boardFor(round: Round | null, participantId: string | null): string | null {
  if (!round || !participantId) return null
  if (round.state !== 'open' && round.state !== 'closing') return null
  const room = round.rooms.find((r) => r.members.includes(participantId))
  return room ? room.board : null
}

/** The id of the timer that moving on in the agenda starts (docs/schema.md, timers). */
export const AGENDA_TIMER = 'agenda'

export function currentItem(agenda: Agenda): AgendaItem | null {
  return agenda.items.find((i) => i.id === agenda.current) ?? null
}

export function itemTitle(item: AgendaItem, lang: string): string {
  const t = item.titles as Record<string, string | undefined> | null
  return (t && t[lang]) || item.title
}

/** An item's instructions in the viewer's language (a template's come in all three). */
export function itemInstructions(item: AgendaItem, lang: string): string {
  const t = item.instruction_texts as Record<string, string | undefined> | null | undefined
  return (t && t[lang]) || item.instructions
}

const ROOM_NAMES = /^(?:Huone|Rum|Room) (\d+)$/
const MAIN_TITLES = ['Yhteinen taulu', 'Gemensam tavla', 'Main board']

/** A board's title in the viewer's language: the server's own titles (`main`, a template's
 *  boards, rooms named "Room n") in theirs, a title someone wrote as written. In a list of
 *  boards (`listed`) a breakout room carries its round ("Round 2 · Room 1"), since rooms of
 *  different rounds share names. A session made before titles were carried still gets its
 *  main board and rooms named here. */
export function boardLabel(
  state: ControlState,
  name: string,
  lang: string,
  say: { main: string; room: (n: number) => string; roundRoom: (n: number, room: string) => string },
  listed = false,
): string {
  const info = state.boards[name]
  const own = (info?.titles as Record<string, string | undefined> | null | undefined)?.[lang]
  let title = own || info?.title || name
  if (!own && name === 'main' && (!info || MAIN_TITLES.includes(info.title))) title = say.main
  const room = !own && info?.kind === 'breakout' ? ROOM_NAMES.exec(info.title) : null
  if (room) title = say.room(Number(room[1]))
  if (!listed || info?.kind !== 'breakout' || !info.round) return title
  const round = [...state.history, ...(state.round ? [state.round] : [])].find((r) => r.id === info.round)
  const n = round?.number ?? Number(info.round.replace(/^r/, ''))
  return Number.isFinite(n) && n > 0 ? say.roundRoom(n, title) : title
}

/** A timer's label in the viewer's language: the server labels the agenda's timer with its
 *  item's title in the session language, so that title is looked up among the items. */
export function timerLabel(timer: Timer, agenda: Agenda, lang: string): string {
  if (timer.id !== AGENDA_TIMER) return timer.label
  const item = agenda.items.find((i) => i.title === timer.label)
  return item ? itemTitle(item, lang) : timer.label
}

export function tagValue(tags: string[], key: string): string | null {
  const tag = tags.find((t) => t.startsWith(`${key}:`))
  return tag ? tag.slice(key.length + 1) : null
}
