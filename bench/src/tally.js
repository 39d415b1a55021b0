// Delivery accounting inside one generator process: every marker seen by every client.

import { Histogram } from './histogram.js'

export class Tally {
  constructor () {
    this.reset()
  }

  /** @param {number} [markMicros] start of the measurement, for the per-second figures */
  reset (markMicros = 0) {
    this.latency = new Histogram()
    /** latency of the deliveries since the last `takeWindow` (soak's per-minute rows) */
    this.window = new Histogram()
    /** @type {Map<string, number>} unique deliveries per board */
    this.uniqueByBoard = new Map()
    this.unique = 0
    this.duplicates = 0
    this.lastDeliveryMicros = 0
    this.markMicros = markMicros
    /** @type {number[]} worst latency (µs) of the deliveries received in each second */
    this.worstBySecond = []
    this.frames = 0
    this.bytes = 0
    /** latency of the cursor states seen (workshop), each as fresh as the server sent it */
    this.cursors = new Histogram()
  }

  /** @param {number} latencyMicros */
  cursor (latencyMicros) {
    this.cursors.record(latencyMicros)
  }

  /**
   * A client saw a marker; `fresh` is false when it had seen it before.
   * @param {string} board
   * @param {boolean} fresh
   * @param {number} latencyMicros
   * @param {number} nowMicros
   */
  delivery (board, fresh, latencyMicros, nowMicros) {
    if (!fresh) {
      this.duplicates++
      return
    }
    this.unique++
    this.uniqueByBoard.set(board, (this.uniqueByBoard.get(board) ?? 0) + 1)
    this.latency.record(latencyMicros)
    this.window.record(latencyMicros)
    this.lastDeliveryMicros = nowMicros
    const second = Math.floor((nowMicros - this.markMicros) / 1e6)
    if (second >= 0 && !(this.worstBySecond[second] >= latencyMicros)) {
      this.worstBySecond[second] = latencyMicros
    }
  }

  /**
   * @param {number} length
   */
  frame (length) {
    this.frames++
    this.bytes += length
  }

  /** The window's latency histogram; a new window starts. */
  takeWindow () {
    const window = this.window.toJSON()
    this.window = new Histogram()
    return window
  }

  progress () {
    return {
      unique: this.unique,
      duplicates: this.duplicates,
      lastDeliveryMicros: this.lastDeliveryMicros
    }
  }

  toJSON () {
    return {
      latency: this.latency.toJSON(),
      uniqueByBoard: Object.fromEntries(this.uniqueByBoard),
      unique: this.unique,
      duplicates: this.duplicates,
      lastDeliveryMicros: this.lastDeliveryMicros,
      markMicros: this.markMicros,
      worstBySecond: Array.from(this.worstBySecond, (v) => v ?? 0),
      frames: this.frames,
      bytes: this.bytes,
      cursors: this.cursors.toJSON()
    }
  }
}

/** Which markers one client has seen: one growable bitmap per writer. */
export class SeenSet {
  constructor () {
    /** @type {Uint8Array[]} */
    this.byWriter = []
  }

  /**
   * Marks (writer, seq) as seen.
   * @param {number} writer
   * @param {number} seq
   * @returns {boolean} true when it had not been seen before
   */
  add (writer, seq) {
    let bits = this.byWriter[writer]
    if (bits === undefined || seq >= bits.length) {
      const grown = new Uint8Array(Math.max(64, (seq + 1) * 2))
      if (bits !== undefined) grown.set(bits)
      bits = this.byWriter[writer] = grown
    }
    if (bits[seq] === 1) return false
    bits[seq] = 1
    return true
  }

  /**
   * @param {number} writer
   * @param {number} seq
   */
  has (writer, seq) {
    const bits = this.byWriter[writer]
    return bits !== undefined && seq < bits.length && bits[seq] === 1
  }
}
