// Sends one binary message of the given size with the `ws` library (what Node peers and
// y-websocket use) once the server's greeting arrives, and prints the close code and reason
// as JSON: {"code": 1009, "reason": "..."}.
import WebSocket from 'ws'

const [url, size] = process.argv.slice(2)
const ws = new WebSocket(url)
let sent = false
ws.on('message', () => {
  if (!sent) {
    sent = true
    ws.send(Buffer.alloc(Number(size)))
  }
})
ws.on('close', (code, reason) => {
  console.log(JSON.stringify({ code, reason: String(reason) }))
  process.exit(0)
})
ws.on('error', () => {}) // a reset is reported by 'close' as 1006
