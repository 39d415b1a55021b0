// The y-websocket wire protocol, as far as the bench speaks it.
//
// Every WebSocket frame holds one y-protocols message:
//   varUint messageType (0 = sync, 1 = awareness)
//   for sync: varUint syncType (0 = step 1, 1 = step 2, 2 = update) + varUint8Array payload
// Step 1 carries a state vector, step 2 and update carry a Yjs update (v1 encoding).
// The bench encodes with y-protocols itself, so what it sends is what stock clients send.

import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'
import * as awarenessProtocol from 'y-protocols/awareness'

export const MESSAGE_SYNC = 0
export const MESSAGE_AWARENESS = 1
export const SYNC_STEP1 = 0
export const SYNC_STEP2 = 1
export const SYNC_UPDATE = 2

/**
 * Sync step 1 for a document: "here is my state vector".
 * @param {Y.Doc} doc
 * @returns {Uint8Array}
 */
export function syncStep1 (doc) {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_SYNC)
  syncProtocol.writeSyncStep1(encoder, doc)
  return encoding.toUint8Array(encoder)
}

/**
 * Sync step 2 answering a peer's step 1: what `doc` has that the peer lacks.
 * @param {Y.Doc} doc
 * @param {Uint8Array} stateVector the peer's state vector (payload of its step 1)
 * @returns {Uint8Array}
 */
export function syncStep2 (doc, stateVector) {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_SYNC)
  syncProtocol.writeSyncStep2(encoder, doc, stateVector)
  return encoding.toUint8Array(encoder)
}

/**
 * An update message carrying one Yjs update.
 * @param {Uint8Array} update
 * @returns {Uint8Array}
 */
export function updateMessage (update) {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_SYNC)
  syncProtocol.writeUpdate(encoder, update)
  return encoding.toUint8Array(encoder)
}

/** Step 1 and step 2 of a client whose document is empty (readers never write). */
const emptyDoc = new Y.Doc()
export const EMPTY_STEP1 = syncStep1(emptyDoc)
export const EMPTY_STEP2 = syncStep2(emptyDoc, Y.encodeStateVector(emptyDoc))

/**
 * The payload of a sync message (state vector for step 1, update otherwise).
 * @param {Uint8Array} frame
 * @returns {Uint8Array}
 */
export function syncPayload (frame) {
  const decoder = decoding.createDecoder(frame)
  decoding.readVarUint(decoder)
  decoding.readVarUint(decoder)
  return decoding.readVarUint8Array(decoder)
}

/**
 * An awareness message announcing one new client, as a browser sends when it joins.
 * @param {string} name
 * @returns {Uint8Array}
 */
export function presenceMessage (name) {
  const doc = new Y.Doc()
  const awareness = new awarenessProtocol.Awareness(doc)
  awareness.setLocalState({ user: { name, color: '#30bced' } })
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS)
  encoding.writeVarUint8Array(encoder,
    awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID]))
  awareness.destroy()
  doc.destroy()
  return encoding.toUint8Array(encoder)
}

/**
 * An awareness message setting one client's state, as y-protocols encodes it: what a browser
 * sends whenever its cursor moves (built by hand: the bench sends hundreds a second).
 * @param {number} clientID
 * @param {number} clock
 * @param {string} stateJson the state, JSON
 * @returns {Uint8Array}
 */
export function awarenessMessage (clientID, clock, stateJson) {
  const update = encoding.createEncoder()
  encoding.writeVarUint(update, 1)
  encoding.writeVarUint(update, clientID)
  encoding.writeVarUint(update, clock)
  encoding.writeVarString(update, stateJson)
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS)
  encoding.writeVarUint8Array(encoder, encoding.toUint8Array(update))
  return encoding.toUint8Array(encoder)
}
