// The clients' side of a live workshop (scenarios/workshop.js), inside one generator process:
// everyone shows a presence, some move a cursor, some drag notes, some write. Every loop ends
// by its count and by the run's end, whichever comes first.

import { makeCursorMarker, nowMicros } from './markers.js'

const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms))

export const CURSOR_HZ = 20
export const DRAG_HZ = 60
export const WRITE_HZ = 1
/** A drag lasts this long, then the note is dropped and the next drag starts after a pause. */
const DRAG_MS = 2000
const DRAG_PAUSE_MS = 1000

/**
 * Calls `step(i)` every `periodMs` from `startMicros` (phase `offsetMs`) until `endMicros`,
 * at most `count` times; a late loop skips the steps it missed rather than bursting.
 * @param {number} startMicros
 * @param {number} endMicros
 * @param {number} periodMs
 * @param {number} offsetMs
 * @param {number} count
 * @param {(i: number) => void} step
 * @returns {Promise<number>} steps taken
 */
async function every (startMicros, endMicros, periodMs, offsetMs, count, step) {
  let taken = 0
  let slot = 0
  while (taken < count) {
    const due = startMicros + (offsetMs + slot * periodMs) * 1000
    if (due >= endMicros) break
    const now = nowMicros()
    if (due > now) {
      await sleep((due - now) / 1000)
      continue
    }
    slot = Math.max(slot + 1, Math.floor(((now - startMicros) / 1000 - offsetMs) / periodMs) + 1)
    step(taken++)
  }
  return taken
}

/**
 * @param {import('./client.js').BenchClient} client
 * @param {string} extra more JSON members of the state, may be empty
 */
function presence (client, extra) {
  const name = `p${client.awarenessId % 100000}`
  client.setPresence(`{"user":{"name":"${name}","color":"#30bced"}${extra}}`)
}

/**
 * Plays the workshop for this process's clients from `atMicros` for `durationMs`.
 * Roles: `cursor` (moves at 20 Hz, each state carrying a cursor marker), `drag` (drags a note
 * through presence at 60 Hz, one document write on drop), `dragdoc` (drags as clients did
 * before: every frame a document write), `writer` (one update a second), `idle`.
 * Drops and writes carry update markers: they are the updates whose loss is counted.
 * @param {import('./client.js').BenchClient[]} clients
 * @param {{atMicros: number, durationMs: number}} args
 */
export async function playWorkshop (clients, args) {
  const start = args.atMicros
  const end = start + args.durationMs * 1000
  const seconds = args.durationMs / 1000
  const cpuMark = process.cpuUsage()
  for (const client of clients) presence(client, '')
  /** @type {Record<string, number>} marker updates sent, per board */
  const sent = {}
  /** cursor states and drag frames sent */
  const counts = { cursor: 0, drag: 0 }
  const markerWrite = (/** @type {import('./client.js').BenchClient} */ c) => {
    c.write(c.writeSeq++)
    sent[c.spec.board] = (sent[c.spec.board] ?? 0) + 1
  }
  const loops = clients.map(async (client, i) => {
    const role = client.spec.role ?? 'idle'
    const offset = (i * 7919) % 1000
    if (role === 'cursor') {
      const id = /** @type {number} */ (client.spec.mover)
      const moves = await every(start, end, 1000 / CURSOR_HZ, offset % 50, CURSOR_HZ * seconds,
        (n) => presence(client, `,"cursor":{"x":${(n * 13) % 1600},"y":${(n * 7) % 900}},` +
          `"m":"${makeCursorMarker(id, n, nowMicros())}"`))
      counts.cursor += moves
    } else if (role === 'drag' || role === 'dragdoc') {
      const framesPerDrag = DRAG_MS * DRAG_HZ / 1000
      const drags = Math.ceil(args.durationMs / (DRAG_MS + DRAG_PAUSE_MS))
      for (let d = 0; d < drags; d++) {
        const dragStart = start + (offset + d * (DRAG_MS + DRAG_PAUSE_MS)) * 1000
        if (dragStart >= end) break
        const note = `w${client.spec.writer}n${d % 8}`
        const frames = await every(dragStart, Math.min(end, dragStart + DRAG_MS * 1000),
          1000 / DRAG_HZ, 0, framesPerDrag, (n) => {
            const x = (d * 101 + n * 3) % 1600
            const y = (d * 53 + n * 2) % 900
            if (role === 'drag') presence(client, `,"drag":{"${note}":[${x},${y}]}`)
            else client.move(note, x, y)
          })
        counts.drag += frames
        if (nowMicros() >= end) break
        if (role === 'drag') presence(client, '')
        markerWrite(client) // the drop: one write
      }
    } else if (role === 'writer') {
      await every(start, end, 1000 / WRITE_HZ, offset, WRITE_HZ * seconds, () => markerWrite(client))
    }
  })
  await Promise.all(loops)
  const cpu = process.cpuUsage(cpuMark)
  return { sent, counts, cpuMicros: cpu.user + cpu.system }
}
