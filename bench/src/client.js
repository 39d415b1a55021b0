// One simulated y-websocket client: handshake, optional writer, raw marker scanning.

import WebSocket from 'ws'
import * as Y from 'yjs'
import {
  EMPTY_STEP1, EMPTY_STEP2, MESSAGE_AWARENESS, MESSAGE_SYNC, SYNC_STEP1, SYNC_STEP2,
  awarenessMessage, presenceMessage, syncPayload, syncStep1, syncStep2, updateMessage
} from './protocol.js'
import { CURSOR_PREFIX, makeMarker, nowMicros, scanMarkers } from './markers.js'
import { SeenSet } from './tally.js'

const COLORS = ['yellow', 'pink', 'green', 'blue']

/**
 * @typedef {object} ClientSpec
 * @property {string} url WebSocket URL of the board
 * @property {string} board board key, for accounting
 * @property {number|null} writer global writer id, null for a reader
 * @property {number} [notes] notes the writer cycles through (default 8)
 * @property {boolean} [presence] send an awareness state once synced, as browsers do
 * @property {string} [role] what the client does in a `workshop` run (scenarios/workshop.js)
 */

export class BenchClient {
  /**
   * @param {ClientSpec} spec
   * @param {import('./tally.js').Tally} tally
   * @param {{deflate: boolean}} options
   */
  constructor (spec, tally, options) {
    this.spec = spec
    this.tally = tally
    this.options = options
    this.seen = new SeenSet()
    this.synced = false
    this.connectMicros = 0
    this.syncedMicros = 0
    this.step2Bytes = 0
    /** @type {string[]} strings the server's step 2 must hold for the sync to be complete */
    this.expect = []
    this.complete = false
    this.closeCode = 0
    this.closedByUs = false
    /** @type {WebSocket|null} */
    this.ws = null
    this.doc = spec.writer === null ? null : new Y.Doc()
    this.notes = this.doc?.getMap('notes') ?? null
    this.doc?.on('update', (/** @type {Uint8Array} */ update) => this.send(updateMessage(update)))
    /** @type {(() => void)|null} */
    this.onSynced = null
    /** @type {((writer: number, seq: number) => void)|null} */
    this.onMarker = null
    /** awareness: this client's id and clock, for `setPresence` */
    this.awarenessId = this.doc?.clientID ?? Math.floor(Math.random() * 0x7fffffff)
    this.awarenessClock = 0
    /** the next marker sequence number of this writer's `write`s in a workshop run */
    this.writeSeq = 0
  }

  /**
   * Opens the socket and resolves once the server's sync step 2 has arrived.
   * @param {number} timeoutMs
   * @returns {Promise<void>}
   */
  connect (timeoutMs) {
    return new Promise((resolve, reject) => {
      this.connectMicros = nowMicros()
      const ws = new WebSocket(this.spec.url, {
        perMessageDeflate: this.options.deflate,
        handshakeTimeout: timeoutMs
      })
      this.ws = ws
      const timer = setTimeout(() => {
        fail(new Error('sync timeout'))
        ws.terminate()
      }, timeoutMs)
      const fail = (/** @type {Error} */ err) => {
        clearTimeout(timer)
        this.onSynced = null
        reject(err)
      }
      this.onSynced = () => {
        clearTimeout(timer)
        resolve()
      }
      ws.on('open', () => {
        ws.send(this.doc === null ? EMPTY_STEP1 : syncStep1(this.doc))
      })
      ws.on('message', (data) => this.receive(/** @type {Buffer} */ (data)))
      ws.on('error', (err) => { if (!this.synced) fail(err) })
      ws.on('close', (code) => {
        this.closeCode = code
        if (!this.synced) fail(new Error(`closed ${code} before sync`))
      })
    })
  }

  /** @param {Buffer} frame */
  receive (frame) {
    const now = nowMicros()
    this.tally.frame(frame.length)
    if (frame[0] === MESSAGE_SYNC && frame[1] === SYNC_STEP1) {
      this.send(this.doc === null ? EMPTY_STEP2 : syncStep2(this.doc, syncPayload(frame)))
      return
    }
    if (frame[0] === MESSAGE_SYNC && frame[1] === SYNC_STEP2 && !this.synced) {
      this.synced = true
      this.syncedMicros = now
      this.step2Bytes = frame.length
      this.complete = this.expect.every((s) => frame.includes(s))
      if (this.spec.presence) this.send(presenceMessage(`joiner ${this.spec.board}`))
      this.onSynced?.()
      return
    }
    if (frame[0] === MESSAGE_AWARENESS) {
      scanMarkers(frame, (_, __, sent) => this.tally.cursor(now - sent), CURSOR_PREFIX)
      return
    }
    scanMarkers(frame, (writer, seq, sent) => {
      this.tally.delivery(this.spec.board, this.seen.add(writer, seq), now - sent, now)
      this.onMarker?.(writer, seq)
    })
  }

  /** @param {Uint8Array} message */
  send (message) {
    if (this.ws !== null && this.ws.readyState === WebSocket.OPEN) this.ws.send(message)
  }

  /**
   * Writer only: moves one of its notes and stamps the marker (writer, seq, now) into its text.
   * Consecutive updates touch different notes, so a server that merges queued updates into
   * one diff of its document still carries every marker.
   * @param {number} seq
   */
  write (seq) {
    const doc = /** @type {Y.Doc} */ (this.doc)
    const notes = /** @type {Y.Map<Y.Map<any>>} */ (this.notes)
    const writer = /** @type {number} */ (this.spec.writer)
    const key = `w${writer}n${seq % (this.spec.notes ?? 8)}`
    doc.transact(() => {
      let note = notes.get(key)
      if (note === undefined) {
        note = new Y.Map()
        notes.set(key, note)
        note.set('color', COLORS[writer % COLORS.length])
      }
      note.set('x', (seq * 37) % 1600)
      note.set('y', (seq * 53) % 900)
      note.set('text', makeMarker(writer, seq, nowMicros()))
    })
  }

  /**
   * Sets this client's awareness state (a new clock each time, as y-protocols does).
   * @param {string} stateJson
   */
  setPresence (stateJson) {
    this.send(awarenessMessage(this.awarenessId, ++this.awarenessClock, stateJson))
  }

  /**
   * Writer only: one frame of a drag as clients wrote it before drags went through presence:
   * the note's position written into the document (no marker).
   * @param {string} key the note
   * @param {number} x
   * @param {number} y
   */
  move (key, x, y) {
    const doc = /** @type {Y.Doc} */ (this.doc)
    const notes = /** @type {Y.Map<Y.Map<any>>} */ (this.notes)
    doc.transact(() => {
      let note = notes.get(key)
      if (note === undefined) {
        note = new Y.Map()
        notes.set(key, note)
      }
      note.set('x', x)
      note.set('y', y)
    })
  }

  /**
   * Writer only: adds `count` notes in one update, the last one's text carrying a marker.
   * @param {number} first index of the first note
   * @param {number} count
   * @param {number} seq marker sequence number
   */
  addNotes (first, count, seq) {
    const doc = /** @type {Y.Doc} */ (this.doc)
    const notes = /** @type {Y.Map<Y.Map<any>>} */ (this.notes)
    const writer = /** @type {number} */ (this.spec.writer)
    doc.transact(() => {
      for (let i = first; i < first + count; i++) {
        const note = new Y.Map()
        notes.set(`prefill-${i}`, note)
        note.set('x', (i * 37) % 1600)
        note.set('y', (i * 53) % 900)
        note.set('color', COLORS[i % COLORS.length])
        const text = i === first + count - 1
          ? makeMarker(writer, seq, nowMicros())
          : `note ${i}: an idea worth discussing in the workshop`
        note.set('text', text)
      }
    })
  }

  /** @returns {Promise<void>} */
  close () {
    return new Promise((resolve) => {
      const ws = this.ws
      if (ws === null || ws.readyState === WebSocket.CLOSED) return resolve()
      this.closedByUs = true
      const timer = setTimeout(() => { ws.terminate(); resolve() }, 2000)
      ws.once('close', () => { clearTimeout(timer); resolve() })
      ws.close(1000)
    })
  }
}
