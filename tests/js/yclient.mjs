// A stock Yjs WebsocketProvider driven by JSON lines on stdin; answers JSON lines on stdout.
// Usage: node yclient.mjs SERVER_URL ROOM TOKEN
import readline from 'node:readline'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'

const [serverUrl, room, token] = process.argv.slice(2)
const doc = new Y.Doc()
const notes = doc.getMap('notes')
const items = doc.getArray('items')
const text = doc.getText('text')
const provider = new WebsocketProvider(serverUrl, room, doc, {
  WebSocketPolyfill: WebSocket,
  params: token ? { token } : {},
  connect: true
})
const stats = { connects: 0, disconnects: 0, synced: 0 }
const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')

provider.on('status', ({ status }) => {
  if (status === 'connected') stats.connects++
  if (status === 'disconnected') stats.disconnects++
  out({ event: 'status', status })
})
provider.on('connection-close', (event) => out({ event: 'close', code: event ? event.code : null }))
provider.on('sync', (synced) => {
  if (synced) stats.synced++
  out({ event: 'sync', synced })
})

const snapshot = () => ({ notes: notes.toJSON(), items: items.toJSON(), text: text.toString() })

const commands = {
  set: ({ key, value }) => notes.set(key, value),
  delete: ({ key }) => notes.delete(key),
  push: ({ value }) => items.push([value]),
  insert: ({ index, value }) => text.insert(Math.min(index, text.length), value),
  burst: ({ n, prefix }) => {
    for (let i = 0; i < n; i++) {
      if (i % 3 === 0) notes.set(`${prefix}-${i}`, i)
      else if (i % 3 === 1) items.push([`${prefix}-${i}`])
      else text.insert(text.length, `${prefix}${i};`)
    }
  },
  snapshot: () => snapshot(),
  presence: ({ state }) => provider.awareness.setLocalState(state),
  peers: () => Object.fromEntries(
    [...provider.awareness.getStates()].filter(([id]) => id !== doc.clientID)
  ),
  stats: () => ({ ...stats, wsconnected: provider.wsconnected, synced: provider.synced }),
  disconnect: () => provider.disconnect(),
  connect: () => provider.connect(),
  exit: () => { provider.destroy(); setTimeout(() => process.exit(0), 50) }
}

const rl = readline.createInterface({ input: process.stdin })
rl.on('line', (line) => {
  const msg = JSON.parse(line)
  try {
    const result = commands[msg.cmd](msg)
    out({ id: msg.id, ok: true, result: result ?? null })
  } catch (err) {
    out({ id: msg.id, ok: false, error: String(err) })
  }
})
rl.on('close', () => { provider.destroy(); process.exit(0) })
