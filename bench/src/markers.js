// Markers: the unique strings writers put into their updates, found by receivers in the raw
// bytes of every incoming frame without decoding it.
//
// Format: <<bm{writer}-{seq}@{sendMicros}>>  e.g. <<bm7-42@81234567890>>
// Cursor markers, in awareness states: <<cm{mover}-{seq}@{sendMicros}>> (scanned the same way).
// A Yjs v1 update stores a string value as UTF-8 in one piece, so the marker is contiguous in
// any update that carries it, including several updates merged into one frame.

const PREFIX = Buffer.from('<<bm')
export const CURSOR_PREFIX = Buffer.from('<<cm')
const DASH = 0x2d
const AT = 0x40
const GT = 0x3e

/**
 * Monotonic clock in microseconds, shared by all processes of the machine (CLOCK_MONOTONIC).
 * @returns {number}
 */
export function nowMicros () {
  const [s, ns] = process.hrtime()
  return s * 1e6 + Math.floor(ns / 1e3)
}

/**
 * @param {number} writer
 * @param {number} seq
 * @param {number} sentMicros
 * @returns {string}
 */
export function makeMarker (writer, seq, sentMicros) {
  return `<<bm${writer}-${seq}@${sentMicros}>>`
}

/**
 * @param {number} mover
 * @param {number} seq
 * @param {number} sentMicros
 * @returns {string}
 */
export function makeCursorMarker (mover, seq, sentMicros) {
  return `<<cm${mover}-${seq}@${sentMicros}>>`
}

/**
 * Calls `found(writer, seq, sentMicros)` for every well-formed marker in `buf`.
 * @param {Buffer} buf
 * @param {(writer: number, seq: number, sentMicros: number) => void} found
 * @param {Buffer} [prefix] PREFIX (updates) or CURSOR_PREFIX
 * @returns {number} markers found
 */
export function scanMarkers (buf, found, prefix = PREFIX) {
  let count = 0
  let i = buf.indexOf(prefix, 0)
  while (i !== -1) {
    let p = i + prefix.length
    let writer = 0
    let seq = 0
    let sent = 0
    let c = buf[p]
    let digits = 0
    while (c >= 0x30 && c <= 0x39) { writer = writer * 10 + c - 0x30; c = buf[++p]; digits++ }
    if (digits > 0 && c === DASH) {
      c = buf[++p]
      digits = 0
      while (c >= 0x30 && c <= 0x39) { seq = seq * 10 + c - 0x30; c = buf[++p]; digits++ }
      if (digits > 0 && c === AT) {
        c = buf[++p]
        digits = 0
        while (c >= 0x30 && c <= 0x39) { sent = sent * 10 + c - 0x30; c = buf[++p]; digits++ }
        if (digits > 0 && c === GT && buf[p + 1] === GT) {
          found(writer, seq, sent)
          count++
        }
      }
    }
    i = buf.indexOf(prefix, p)
  }
  return count
}
