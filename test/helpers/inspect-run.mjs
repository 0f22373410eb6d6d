// Runs `node ...args` with an inspector, as a debugger would: attaches to each inspector that the
// run opens (its "Debugger listening on ws://…" lines), lets each run, and records every pause's
// top frame (its file, and its line in the file as written, through the module's inline source map)
// before resuming it. Prints `{ pauses, output, exitCode }` as JSON on stdout.
// Run as a script (it needs a global WebSocket: Node 20 with --experimental-websocket):
//   node inspect-run.mjs '{"args":[...],"cwd":"...","env":{...}}'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { decodeMappings, inlineSourceMap } from '../.work/src/core/source-map.js'

const { args, cwd, env } = JSON.parse(process.argv[2])
const child = spawn(process.execPath, args, { cwd, env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
let output = ''
const pauses = []
const attached = new Set()
const sockets = []

function attach(url) {
  if (attached.has(url)) return
  attached.add(url)
  const ws = new WebSocket(url)
  sockets.push(ws)
  const scripts = new Map()
  let id = 0
  const send = (method, params = {}) => ws.send(JSON.stringify({ id: ++id, method, params }))
  ws.addEventListener('open', () => {
    send('Debugger.enable')
    send('Runtime.runIfWaitingForDebugger')
  })
  ws.addEventListener('message', ({ data }) => {
    const message = JSON.parse(data)
    if (message.method === 'Debugger.scriptParsed') scripts.set(message.params.scriptId, message.params)
    if (message.method !== 'Debugger.paused') return
    const [top] = message.params.callFrames
    const { url = '', sourceMapURL } = scripts.get(top.location.scriptId) ?? {}
    const file = url.startsWith('file:') ? fileURLToPath(url.replace(/[?#].*$/, '')) : url
    pauses.push({ file, line: originalLine(sourceMapURL, top.location), functionName: top.functionName, reason: message.params.reason })
    send('Debugger.resume')
  })
  ws.addEventListener('error', () => {})
}

// The line (from 1) of the code as written at `location` (lines and columns from 0) of the code as run.
function originalLine(sourceMapURL, { lineNumber, columnNumber = 0 }) {
  const map = inlineSourceMap(sourceMapURL)
  if (map?.mappings === undefined) return lineNumber + 1
  const before = decodeMappings(map.mappings).filter((m) => m.line === lineNumber && m.column <= columnNumber)
  return (before.at(-1) ?? decodeMappings(map.mappings).find((m) => m.line === lineNumber))?.originalLine + 1
}

const listen = (chunk) => {
  output += chunk
  for (const [url] of output.matchAll(/ws:\/\/[^\s]+/g)) attach(url)
  // Node, done, waits for an attached debugger to go.
  if (/Waiting for the debugger to disconnect/.test(output)) for (const ws of sockets) ws.close()
}
child.stdout.setEncoding('utf8').on('data', listen)
child.stderr.setEncoding('utf8').on('data', listen)
child.on('close', (exitCode) => {
  for (const ws of sockets) ws.close()
  process.stdout.write(JSON.stringify({ pauses, output, exitCode }))
  process.exit(0)
})
