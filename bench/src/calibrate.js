// A fixed piece of CPU work, timed: on a shared or virtual machine the speed of a core drifts
// over minutes, so every scenario records how long this took just before it ran. Compare
// figures across runs only together with it (lower = faster core).

import * as Y from 'yjs'

/** @returns {number} CPU milliseconds for the fixed work (best of three) */
export function calibrate () {
  let best = Infinity
  for (let round = 0; round < 3; round++) {
    const t0 = process.cpuUsage()
    const doc = new Y.Doc()
    const notes = doc.getMap('notes')
    for (let i = 0; i < 20000; i++) notes.set(`n${i % 200}`, { x: i, text: `note ${i}` })
    Y.encodeStateAsUpdate(doc)
    const used = process.cpuUsage(t0)
    best = Math.min(best, (used.user + used.system) / 1000)
  }
  return Math.round(best * 10) / 10
}
