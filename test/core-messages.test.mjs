// The exact text a user reads for each kind of leaked resource, each async mistake, a hang and a
// floating call: made for real in a scope of the engine, judged, and worded by the report
// functions. A kind added to `resourceTypes`, or a mistake to `MistakeKind`, fails the coverage
// tests below until its row is written. The expected texts hold lines of this file: add rows at
// the end of their table (the resource kinds, likeliest to grow, come last), so that the lines of
// the rows above stay put. Lines, paths and what varies (ports, pids, fds) are the only parts
// replaced by placeholders.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import dgram from 'node:dgram'
import { EventEmitter } from 'node:events'
import fs from 'node:fs'
import http from 'node:http'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { MessageChannel, Worker } from 'node:worker_threads'
import { ModernFakeTimers } from '@jest/fake-timers'
import { AsyncHangError, AsyncTaskError, Engine, floatingWarning, interference, leakError, observeProcess, resolveOptions, resourceTypes, watchJestFakeTimers } from './helpers/core.mjs'

// PRINT_MESSAGES=<file> appends each message as the code words it (a JSON line each), for writing a row.
const PRINT = process.env.PRINT_MESSAGES
const here = fileURLToPath(import.meta.url)
const dir = fs.mkdtempSync(join(tmpdir(), 'async-debug-messages-'))
after(() => fs.rmSync(dir, { recursive: true, force: true }))

// An engine of its own for each row. What the engine observes of the process (uncaught errors,
// unhandled rejections, warnings) is charged to the scope, then dropped by an observer after the
// engine's: node:test would fail the file for the mistakes that the rows make on purpose.
async function withEngine(options, fn) {
  const engine = new Engine(resolveOptions(options)).enable()
  const drop = observeProcess({ uncaught: () => false, unhandledRejection: () => false, rejectionHandled() {}, warning: () => false })
  try {
    return await fn(engine)
  } finally {
    drop()
    engine.disable()
  }
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

// The text with this file's path, and each value that varies from run to run (`[text, placeholder]`), replaced.
function normalize(text, vary = []) {
  let out = text.replaceAll(here, '<test>')
  for (const [value, placeholder] of vary) {
    const pattern = new RegExp(`${escape(String(value))}(?!\\d)`, 'g')
    assert.match(out, pattern, `${value} is in the message`)
    out = out.replace(pattern, placeholder)
  }
  return out
}

function compare(actual, expected, name) {
  if (PRINT) fs.appendFileSync(PRINT, `${JSON.stringify({ name, actual })}\n`)
  assert.equal(actual, expected)
}

// CPU time, not wall time: on a loaded machine a wall-time loop may barely run.
function busy(ms) {
  for (const start = process.cpuUsage(); (process.cpuUsage(start).user + process.cpuUsage(start).system) / 1000 < ms; );
}

// Resolves, once `server` listens, to its port.
const portOnceListening = (server) => new Promise((resolve) => server.once('listening', () => resolve(server.address().port)))

// A row for a server that `listen` starts listening.
const serverRow = ({ listen, ...row }) => ({ kind: 'server', make: () => portOnceListening(listen()), vary: (port) => [[`:${port}`, ':<port>']], ...row })

// A server of the process, outside every scope, that accepts connections and requests and never answers.
async function silentServer(make) {
  const sockets = new Set()
  let arrived
  const requested = new Promise((resolve) => (arrived = resolve))
  const server = make(() => arrived())
  server.on('connection', (socket) => sockets.add(socket))
  const port = await portOnceListening(server.listen(0, '127.0.0.1'))
  return {
    port,
    requested,
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Async mistakes: each row makes one in a scope and reads the AsyncTaskError of what was charged.

const mistakeRows = [
  {
    kind: 'uncaught',
    async make(engine) {
      const scope = engine.open('test', 'throws in a callback')
      engine.run(scope, () => setImmediate(() => { throw new TypeError('cannot read the config') }))
      await engine.close(scope)
      return scope.mistakes
    },
    expected: `a callback that test "throws in a callback" scheduled threw: TypeError: cannot read the config

Hint: the callback ran outside what the test awaited: await the work it belongs to, or catch the error inside the callback.`,
  },
  {
    kind: 'unhandled-rejection',
    async make(engine) {
      const scope = engine.open('test', 'rejects unhandled')
      engine.run(scope, () => void Promise.reject(new Error('the connection was refused')))
      await engine.close(scope)
      return scope.mistakes
    },
    expected: `test "rejects unhandled" left a promise rejection unhandled: Error: the connection was refused

Hint: await the promise, or attach .catch() where it is created; a floating async call loses its error otherwise.`,
  },
  {
    kind: 'late-handled-rejection',
    async make(engine) {
      const scope = engine.open('test', 'handles a rejection late')
      engine.run(scope, () => {
        const rejected = Promise.reject(new Error('the connection was refused'))
        setImmediate(() => rejected.catch(() => {}))
      })
      await engine.close(scope)
      return scope.mistakes
    },
    expected: `test "handles a rejection late" handled a promise rejection too late, after Node had reported it as unhandled: Error: the connection was refused

Hint: attach .catch() (or await) in the same turn as the promise is created, not after an await.`,
  },
  {
    kind: 'warning',
    async make(engine) {
      const scope = engine.open('test', 'warns')
      engine.run(scope, () => process.emitWarning('the cache is full', { type: 'CacheWarning', code: 'CACHE_FULL' }))
      await engine.close(scope)
      return scope.mistakes
    },
    expected: `test "warns" emitted CacheWarning: the cache is full

Hint: fix its cause; if the test provokes it on purpose, let this warning pass with the option \`ignore: { warnings: ["CACHE_FULL"] }\` (every CacheWarning: \`warnings: { CacheWarning: 'warn' }\`).`,
  },
  {
    kind: 'unawaited-assertion',
    async make(engine) {
      const scope = engine.open('test', 'asserts on a promise')
      engine.run(scope, () => engine.mustAwait(Promise.resolve(1), new Error('expect(promise).resolves.toBe(1) was not awaited')))
      await engine.close(scope)
      return scope.mistakes
    },
    expected: `test "asserts on a promise" did not await an assertion: Error: expect(promise).resolves.toBe(1) was not awaited

Hint: await it: \`await expect(...).resolves...\`; an assertion nobody awaits passes or fails after the test.`,
  },
  {
    kind: 'slow-callback',
    options: { failOnSlowCallback: true, slowCallbackMs: 20 },
    async make(engine) {
      const scope = engine.open('test', 'blocks')
      engine.run(scope, () => busy(40))
      await engine.close(scope)
      return scope.mistakes
    },
    vary: (message) => [[message.match(/for (\d+) ms/)[1], '<ms>']],
    expected: `test "blocks" blocked the event loop: SlowCallback: the synchronous part of test "blocks" blocked the event loop for <ms> ms (slowCallbackMs: 20)

Hint: move the blocking work off the event loop (a worker thread, or smaller chunks with an await between them), or raise the option \`slowCallbackMs\` if this is expected.`,
  },
  {
    kind: 'resumed',
    async make(engine) {
      const file = engine.open('file', 'f.test.js')
      const a = engine.open('test', 'starts a call', file)
      const b = engine.open('test', 'runs next', file)
      let resume
      async function waitForSignal() {
        await new Promise((resolve) => (resume = resolve))
        await new Promise((resolve) => (resume = resolve))
      }
      engine.run(a, () => void waitForSignal())
      await engine.close(a)
      engine.run(b, () => resume())
      // The call runs again while "runs next" is running.
      await new Promise(setImmediate)
      await engine.close(b)
      await engine.close(file)
      resume()
      return file.mistakes
    },
    expected: `test "starts a call" did not await async call waitForSignal(), which ran again at <test>:180:15 during test "runs next", after the test had ended

test "starts a call" had already finished, so this is reported here instead.

Hint: await the call (or return its promise) so that it finishes within the test that starts it; if it is meant to outlive the test, stop it before the test ends, or say so with allowPending(promise, reason).`,
  },
  {
    kind: 'listeners',
    async make(engine) {
      const emitter = new EventEmitter().setMaxListeners(1)
      const file = engine.open('file', 'f.test.js')
      const a = engine.open('test', 'subscribes', file)
      const b = engine.open('test', 'subscribes too', file)
      engine.run(a, () => emitter.on('change', () => {}))
      await engine.close(a)
      engine.run(b, () => emitter.on('change', () => {}))
      await engine.close(b)
      await engine.close(file)
      return file.mistakes
    },
    expected: `test "subscribes" left listeners attached to an emitter that outlives it (its first added at <test>:205:35), and with those added after it they went over its limit: MaxListenersExceededWarning: Possible EventEmitter memory leak detected. 2 change listeners added to [EventEmitter]. MaxListeners is 1. Use emitter.setMaxListeners() to increase limit

test "subscribes" had already finished, so this is reported here instead.

Hint: remove the listener it adds before it ends: emitter.off(type, listener), e.g. in afterEach, or emitter.once(); if that many are meant, raise the emitter's limit with setMaxListeners().`,
  },
]

// Every kind of MistakeKind, as src/core/scope.ts declares it (a type only: read from its source).
const mistakeKinds = () => {
  const source = fs.readFileSync(new URL('../src/core/scope.ts', import.meta.url), 'utf8')
  const declared = source.match(/export type MistakeKind =([^\n]*(?:\n\s*\|[^\n]*)*)/)
  assert.ok(declared, 'MistakeKind is declared in src/core/scope.ts')
  return [...declared[1].matchAll(/'([^']+)'/g)].map(([, kind]) => kind)
}

test('every MistakeKind has a row with its exact message', () => {
  const kinds = mistakeKinds()
  assert.ok(kinds.length >= 8, `${kinds.length} kinds read`)
  assert.deepEqual(kinds.filter((kind) => !mistakeRows.some((row) => row.kind === kind)), [], 'kinds without a row')
})

for (const row of mistakeRows)
  test(`mistake ${row.kind}: the message`, () =>
    withEngine(row.options, async (engine) => {
      const mistakes = await row.make(engine)
      assert.deepEqual(mistakes.map((m) => m.kind), [row.kind])
      const { message } = new AsyncTaskError(mistakes[0])
      compare(normalize(message, row.vary?.(message)), row.expected, row.kind)
    }))

// ---------------------------------------------------------------------------------------------
// A test that timed out (AsyncHangError), and a floating call warned of again: each row returns
// the message.

// A test that awaits a call waiting on a timer of 60 s, asked what it waits on before it is judged.
async function waitingOnATimer(engine, name, awaitsDone) {
  const scope = engine.open('test', name)
  async function waitForReply() {
    await new Promise((resolve) => setTimeout(resolve, 60_000))
  }
  engine.run(scope, () => waitForReply())
  const { message } = new AsyncHangError(scope, engine.waitingOn(scope), awaitsDone)
  await engine.close(scope)
  return message
}

const otherRows = [
  {
    name: 'a test timed out waiting on a timer',
    make: (engine) => waitingOnATimer(engine, 'waits for a reply', false),
    expected: `test "waits for a reply" timed out while still waiting on:

  1. setTimeout of 60000 ms, created at <test>:251:36
  2. new Promise() still pending, created at <test>:251:11
  3. promise of async call waitForReply() still pending, created at <test>:253:27

Hint: the first of these is what it waited on last: the event, reply or timer it needs never came.`,
  },
  {
    name: 'a test timed out waiting for its done callback',
    make: (engine) => waitingOnATimer(engine, 'waits for a reply, then done', true),
    expected: `test "waits for a reply, then done" timed out waiting for its done callback to be called, while still waiting on:

  1. setTimeout of 60000 ms, created at <test>:251:36
  2. new Promise() still pending, created at <test>:251:11
  3. promise of async call waitForReply() still pending, created at <test>:253:27

Hint: the first of these is what it waited on last: the event, reply or timer it needs never came, or it came and done() was not called.`,
  },
  {
    name: 'a test timed out waiting on nothing async-debug knows of',
    make: (engine) => new AsyncHangError(engine.open('test', 'waits for nothing'), []).message,
    expected: `test "waits for nothing" timed out, and async-debug knows of nothing it was still waiting on: no live timer or handle, and no pending promise of its with a creation stack (a promise-heavy test gets a stack for only some of its promises; the option \`tracePromises: true\` records all).`,
  },
  {
    name: 'a test timed out waiting for its done callback, and on nothing else',
    make: (engine) => new AsyncHangError(engine.open('test', 'never calls done'), [], true).message,
    expected: `test "never calls done" timed out waiting for its done callback to be called, and async-debug knows of nothing else it was still waiting on: done() was never called, or with a wrong argument count.`,
  },
  {
    name: 'a floating call from a line warned of already',
    async make(engine) {
      async function neverEnds() {
        await new Promise(() => {})
      }
      const printed = new Set()
      const warned = []
      for (const name of ['drops a call', 'drops it again']) {
        const scope = engine.open('test', name)
        engine.run(scope, () => void neverEnds())
        await engine.close(scope)
        warned.push(floatingWarning(scope, printed))
      }
      assert.match(warned[0], /^async-debug: warning: test "drops a call" left a call pending that nothing awaits/)
      return warned[1]
    },
    expected: `async-debug: warning: test "drops it again" left async call neverEnds() (created at <test>:302:38) pending that nothing awaits, as an earlier test did.`,
  },
]

for (const row of otherRows)
  test(row.name, () =>
    withEngine({}, async (engine) => {
      compare(normalize(await row.make(engine)), row.expected, row.name)
    }))

// ---------------------------------------------------------------------------------------------
// Leaked resources: one row at least for each kind of `resourceTypes`. Each row makes a real
// resource in the scope that `open` returns (a test of its own by default), then the scope is
// judged, what it left disposed of, and the AsyncLeakError's message compared. `setup` and
// `teardown` run outside every scope; `vary` names what varies from run to run in the message.

test('every resource kind has a row with its exact message', () => {
  assert.deepEqual(Object.keys(resourceTypes).filter((kind) => !resourceRows.some((row) => row.kind === kind)), [], 'kinds without a row')
})

const resourceRows = [
  {
    kind: 'timeout',
    name: 'leaves a timeout',
    make: () => setTimeout(() => {}, 60_000),
    expected: `test "leaves a timeout" left 1 async resource alive when it ended (after its afterEach hooks):

  1. setTimeout of 60000 ms, created at <test>:333:17
     Hint: clear it with clearTimeout(timer) before the test ends, or await what it schedules.

async-debug disposed of it so that later tests are not affected.`,
  },
  {
    kind: 'interval',
    name: 'leaves an interval',
    make: () => setInterval(() => {}, 60_000),
    expected: `test "leaves an interval" left 1 async resource alive when it ended (after its afterEach hooks):

  1. setInterval every 60000 ms, created at <test>:344:17
     Hint: clear it with clearInterval(timer) before the test ends, e.g. in afterEach.

async-debug disposed of it so that later tests are not affected.`,
  },
  {
    kind: 'immediate',
    name: 'leaves an immediate that sets itself again',
    make() {
      const spin = () => setImmediate(spin)
      spin()
    },
    expected: `test "leaves an immediate that sets itself again" left 1 async resource alive when it ended (after its afterEach hooks):

  1. setImmediate callback, created at <test>:356:26
     Hint: clear it with clearImmediate(immediate), or await it.

async-debug disposed of it so that later tests are not affected.`,
  },
  serverRow({
    name: 'leaves a server listening',
    listen: () => createServer().listen(0, '127.0.0.1'),
    expected: `test "leaves a server listening" left 1 async resource alive when it ended (after its afterEach hooks):

  1. TCP server listening on 127.0.0.1:<port>, created at <test>:368:34
     Hint: close it and wait: await new Promise((resolve) => server.close(resolve)) (server.closeAllConnections() first if clients keep connections alive).

async-debug disposed of it so that later tests are not affected.`,
  }),
  serverRow({
    name: 'leaves an HTTP server listening',
    listen: () => http.createServer().listen(0, '127.0.0.1'),
    expected: `test "leaves an HTTP server listening" left 1 async resource alive when it ended (after its afterEach hooks):

  1. HTTP server listening on 127.0.0.1:<port>, created at <test>:378:39
     Hint: close it and wait: await new Promise((resolve) => server.close(resolve)) (server.closeAllConnections() first if clients keep connections alive).

async-debug disposed of it so that later tests are not affected.`,
  }),
  {
    kind: 'socket',
    name: 'leaves a connection open',
    setup: () => silentServer((accepted) => createServer(accepted)),
    async make(server) {
      const socket = connect(server.port, '127.0.0.1')
      await new Promise((resolve) => socket.once('connect', resolve))
      return socket.localPort
    },
    vary: (localPort, server) => [[`:${localPort}`, ':<local port>'], [`:${server.port}`, ':<port>']],
    teardown: (_, server) => server.close(),
    expected: `test "leaves a connection open" left 1 async resource alive when it ended (after its afterEach hooks):

  1. TCP socket 127.0.0.1:<local port> -> 127.0.0.1:<port>, created at <test>:391:22
     Hint: end it and wait for "close", or socket.destroy(); for HTTP, consume or abort the response.

async-debug disposed of it so that later tests are not affected.`,
  },
  {
    kind: 'request',
    name: 'leaves a request in flight',
    setup: () => silentServer((received) => http.createServer(received)),
    async make(server) {
      http.get(`http://127.0.0.1:${server.port}/users/1`).on('error', () => {})
      await server.requested
    },
    vary: (_, server) => [[`:${server.port}`, ':<port>']],
    teardown: (_, server) => server.close(),
    expected: `test "leaves a request in flight" left 1 async resource alive when it ended (after its afterEach hooks):

  1. HTTP request GET http://127.0.0.1:<port>/users/1 still in flight (http client), created at <test>:409:12
     Hint: await the response and read or cancel its body (await res.text(), or res.body?.cancel()); give a request that may hang a signal: AbortSignal.timeout(ms).

async-debug disposed of it so that later tests are not affected.`,
  },
  {
    kind: 'udp-socket',
    name: 'leaves a UDP socket bound',
    async make() {
      const socket = dgram.createSocket('udp4')
      await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve))
      return socket.address().port
    },
    vary: (port) => [[`:${port}`, ':<port>']],
    expected: `test "leaves a UDP socket bound" left 1 async resource alive when it ended (after its afterEach hooks):

  1. UDP socket bound to 127.0.0.1:<port>, created at <test>:425:28
     Hint: close it and wait: await new Promise((resolve) => socket.close(resolve)).

async-debug disposed of it so that later tests are not affected.`,
  },
  {
    kind: 'child-process',
    name: 'leaves a child process running',
    make() {
      const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' })
      return { child, exited: new Promise((resolve) => child.once('exit', resolve)) }
    },
    vary: ({ child }) => [[process.execPath, '<node>'], [`pid ${child.pid}`, 'pid <pid>']],
    teardown: unrefedExit,
    expected: `test "leaves a child process running" left 1 async resource alive when it ended (after its afterEach hooks):

  1. child process '<node> -e setTimeout(() => {}, 60_000)' pid <pid>, created at <test>:441:21
     Hint: stop it and wait: child.kill(); await once(child, 'exit').

async-debug disposed of it so that later tests are not affected.`,
  },
  {
    kind: 'watcher',
    name: 'leaves a directory and a file watched',
    make() {
      fs.watch(dir)
      const path = join(dir, 'watched.txt')
      fs.watchFile(path, () => {})
      return path
    },
    teardown: (path) => fs.unwatchFile(path),
    expected: `test "leaves a directory and a file watched" left 2 async resources alive when it ended (after its afterEach hooks):

  1. fs.watch() watcher, created at <test>:457:10
     Hint: close it: watcher.close() for fs.watch(), fs.unwatchFile(path) for fs.watchFile().
  2. fs.watchFile() watcher, created at <test>:459:10
     Hint: close it: watcher.close() for fs.watch(), fs.unwatchFile(path) for fs.watchFile().

async-debug disposed of them so that later tests are not affected.`,
  },
  {
    kind: 'file-handle',
    name: 'leaves a file handle open',
    setup: () => fs.writeFileSync(join(dir, 'handle.txt'), 'x'),
    async make() {
      const handle = await fs.promises.open(join(dir, 'handle.txt'))
      return handle.fd
    },
    vary: (fd) => [[`fd ${fd}`, 'fd <fd>']],
    expected: `test "leaves a file handle open" left 1 async resource alive when it ended (after its afterEach hooks):

  1. file handle (fd <fd>) from fs.promises.open(), created at <test>:477:40
     Hint: close it, e.g. in a finally block: await fileHandle.close(), fs.close(fd), or stream.destroy() for a stream never read to its end.

async-debug disposed of it so that later tests are not affected.`,
  },
  {
    kind: 'file-handle',
    name: 'leaves a file descriptor open',
    setup: () => fs.writeFileSync(join(dir, 'descriptor.txt'), 'x'),
    make: () => fs.openSync(join(dir, 'descriptor.txt'), 'r'),
    vary: (fd) => [[`descriptor ${fd}`, 'descriptor <fd>'], [dir, '<tmp>']],
    expected: `test "leaves a file descriptor open" left 1 async resource alive when it ended (after its afterEach hooks):

  1. file descriptor <fd> open on <tmp>/descriptor.txt (flags 'r'), from fs.open() or an fs stream, created at <test>:492:20
     Hint: close it, e.g. in a finally block: await fileHandle.close(), fs.close(fd), or stream.destroy() for a stream never read to its end.

async-debug disposed of it so that later tests are not affected.`,
  },
  {
    kind: 'worker',
    name: 'leaves a worker running',
    make() {
      const worker = new Worker('setTimeout(() => {}, 60_000)', { eval: true })
      return { threadId: worker.threadId, worker, exited: new Promise((resolve) => worker.once('exit', resolve)) }
    },
    vary: ({ threadId }) => [[`thread ${threadId}`, 'thread <thread id>']],
    teardown: unrefedExit,
    expected: `test "leaves a worker running" left 1 async resource alive when it ended (after its afterEach hooks):

  1. worker thread <thread id>, created at <test>:505:22
     Hint: stop it and wait: await worker.terminate().

async-debug disposed of it so that later tests are not affected.`,
  },
  {
    kind: 'message-port',
    name: 'leaves a port listening',
    make() {
      const { port1, port2 } = new MessageChannel()
      port1.on('message', () => {})
      return port2
    },
    teardown: (port2) => port2?.close(),
    expected: `test "leaves a port listening" left 1 async resource alive when it ended (after its afterEach hooks):

  1. MessagePort receiving messages, created at <test>:521:32
     Hint: close it: port.close(), or remove its message listener.

async-debug disposed of it so that later tests are not affected.`,
  },
  {
    kind: 'fake-timers',
    name: 'leaves fake timers installed',
    setup: (engine) => jestTimers(engine),
    make(jest) {
      jest.timers.useFakeTimers()
      jest.global.setTimeout(() => {}, 1000)
    },
    teardown: (_, jest) => jest.restore(),
    expected: `test "leaves fake timers installed" left 1 async resource alive when it ended (after its afterEach hooks):

  1. fake timers still installed (jest.useFakeTimers(), 1 fake timer pending), created at <test>:538:19
     Hint: restore the real timers before the test ends, e.g. in afterEach: vi.useRealTimers() or jest.useRealTimers(); to run or drop the pending fake timers first (or instead, under fake timers that the file or a suite keeps installed), runOnlyPendingTimers() or clearAllTimers().

async-debug disposed of it so that later tests are not affected.`,
  },
  {
    kind: 'fake-timers',
    name: 'leaves a fake timer under the fake timers of its suite',
    setup: (engine) => jestTimers(engine),
    open: inFakeTimersSuite,
    make: (jest) => void jest.global.setTimeout(() => {}, 1000),
    teardown: (_, jest) => jest.restore(),
    expected: `test "leaves a fake timer under the fake timers of its suite" left 1 async resource alive when it ended (after its afterEach hooks):

  1. 1 fake timer left pending under the fake timers that suite "with fake timers" installed (jest.useFakeTimers()), created at <test>:695:39
     Hint: restore the real timers before the test ends, e.g. in afterEach: vi.useRealTimers() or jest.useRealTimers(); to run or drop the pending fake timers first (or instead, under fake timers that the file or a suite keeps installed), runOnlyPendingTimers() or clearAllTimers().`,
  },
  {
    kind: 'fake-timers',
    name: 'installs fake timers again over those of its suite',
    setup: (engine) => jestTimers(engine),
    open: inFakeTimersSuite,
    make(jest) {
      jest.timers.useFakeTimers()
      jest.global.setTimeout(() => {}, 1000)
    },
    teardown: (_, jest) => jest.restore(),
    expected: `test "installs fake timers again over those of its suite" left 1 async resource alive when it ended (after its afterEach hooks):

  1. 1 fake timer left pending under the fake timers it installed again (jest.useFakeTimers()), created at <test>:567:19
     Hint: restore the real timers before the test ends, e.g. in afterEach: vi.useRealTimers() or jest.useRealTimers(); to run or drop the pending fake timers first (or instead, under fake timers that the file or a suite keeps installed), runOnlyPendingTimers() or clearAllTimers().

async-debug disposed of it so that later tests are not affected.`,
  },
  {
    kind: 'promise',
    name: 'drops a call that never ends',
    make() {
      async function neverEnds() {
        await new Promise(() => {})
      }
      void neverEnds()
    },
    // Nothing live under it: a warning, not a failure.
    report: (scope, findings) => (assert.deepEqual(findings, []), floatingWarning(scope, new Set())),
    expected: `async-debug: warning: test "drops a call that never ends" left a call pending that nothing awaits (not a failure: nothing live is under it, but if it resumes after the test, the test fails then):

  1. async call neverEnds() was never awaited and is still pending, created at <test>:585:12
     Hint: await it (or return it from the test) so that the test waits for it; if it is meant to outlive the test, say so with allowPending(promise, reason).`,
  },
  {
    kind: 'timeout',
    name: 'drops a call that waits on a timer',
    make() {
      async function waitForReply() {
        await new Promise((resolve) => setTimeout(resolve, 60_000))
      }
      void waitForReply()
    },
    expected: `test "drops a call that waits on a timer" left 1 async resource alive when it ended (after its afterEach hooks):

  1. setTimeout of 60000 ms, created at <test>:599:40
     Awaited by async call waitForReply(), created at <test>:601:12, which nothing awaits.
     Hint: clear it with clearTimeout(timer) before the test ends, or await what it schedules.

async-debug disposed of it so that later tests are not affected.`,
  },
  {
    kind: 'timeout',
    name: 'sets a timer in its beforeEach hook',
    open(engine, _, name) {
      const test = engine.open('test', name)
      const hook = engine.open('hook', 'beforeEach', test)
      engine.run(hook, () => setTimeout(() => {}, 60_000))
      return test
    },
    make: () => {},
    expected: `test "sets a timer in its beforeEach hook" left 1 async resource alive when it ended (after its afterEach hooks):

  1. setTimeout of 60000 ms, created by its beforeEach hook at <test>:617:30
     Hint: clear it with clearTimeout(timer) before the test ends, or await what it schedules.

async-debug disposed of it so that later tests are not affected.`,
  },
  {
    kind: 'socket',
    name: 'leaves a server with a connection',
    async make() {
      const server = createServer()
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
      const accepted = new Promise((resolve) => server.once('connection', resolve))
      const socket = connect(server.address().port, '127.0.0.1')
      await Promise.all([accepted, new Promise((resolve) => socket.once('connect', resolve))])
      return { port: server.address().port, localPort: socket.localPort }
    },
    vary: ({ port, localPort }) => [[`:${localPort}`, ':<local port>'], [`:${port}`, ':<port>']],
    expected: `test "leaves a server with a connection" left 2 async resources alive when it ended (after its afterEach hooks):

  1. TCP server listening on 127.0.0.1:<port>, created at <test>:633:45
     Hint: close it and wait: await new Promise((resolve) => server.close(resolve)) (server.closeAllConnections() first if clients keep connections alive).
  2. TCP socket 127.0.0.1:<local port> -> 127.0.0.1:<port>, created at <test>:635:22
     Hint: end it and wait for "close", or socket.destroy(); for HTTP, consume or abort the response.

async-debug disposed of them so that later tests are not affected.`,
  },
  {
    kind: 'interval',
    name: 'calls a dependency that sets an interval in a callback of its own',
    setup: async () => {
      const module = join(dir, 'node_modules', 'poller', 'index.mjs')
      fs.mkdirSync(join(module, '..'), { recursive: true })
      fs.writeFileSync(module, 'export const start = () => setImmediate(() => setInterval(() => {}, 60_000))\n')
      return import(module)
    },
    make: (poller) => void poller.start(),
    vary: () => [[dir, '<tmp>']],
    expected: `test "calls a dependency that sets an interval in a callback of its own" left 1 async resource alive when it ended (after its afterEach hooks):

  1. setInterval every 60000 ms, created by dependency "poller" at <tmp>/node_modules/poller/index.mjs:1:47 (no line of your code on its stack)
     Hint: clear it with clearInterval(timer) before the test ends, e.g. in afterEach; "poller" made it for something the test started: end that (the dependency's close, abort or cleanup call, e.g. in afterEach), or let it pass with the option \`ignore.stacks: ['node_modules/poller/']\`.

async-debug disposed of it so that later tests are not affected.`,
  },
]

// Disposing of a child or a worker unrefs it: held again, so that the loop waits for its exit.
async function unrefedExit(made) {
  if (!made) return
  const { child, worker, exited } = made
  ;(child ?? worker).ref()
  await exited
}

// Jest's modern fake timers, on a global of their own (not the process's), watched as the Jest adapter does.
function jestTimers(engine) {
  const global = { setTimeout, clearTimeout, setInterval, clearInterval, Date }
  const timers = new ModernFakeTimers({ global, config: {} })
  const unwatch = watchJestFakeTimers({ fakeTimersModern: timers }, engine)
  return {
    timers,
    global,
    restore() {
      unwatch()
      timers.useRealTimers()
    },
  }
}

// Test `name`, in a suite that installed Jest's fake timers.
function inFakeTimersSuite(engine, jest, name) {
  const suite = engine.open('suite', 'with fake timers')
  engine.run(suite, () => jest.timers.useFakeTimers())
  return engine.open('test', name, suite)
}

for (const row of resourceRows)
  test(`${row.kind}: ${row.name}`, () =>
    withEngine(row.options, async (engine) => {
      const fixture = await row.setup?.(engine)
      let made
      try {
        const scope = row.open?.(engine, fixture, row.name) ?? engine.open('test', row.name)
        made = await engine.run(scope, () => row.make(fixture))
        const findings = await engine.close(scope)
        assert.deepEqual(scope.mistakes, [])
        // As the adapters say it: disposed of, unless the option `dispose` is off.
        const message = row.report?.(scope, findings) ?? leakError(scope, findings, engine.settings.dispose).message
        compare(normalize(message, row.vary?.(made, fixture)), row.expected, row.name)
      } finally {
        await row.teardown?.(made, fixture)
      }
    }))

test('every failure ends with the command that reruns its test in the debugger, stopped at the creation line, for the runner in use', async () => {
  await withEngine({}, async (engine) => {
    const scope = engine.open('test', "queue > polls for 'work'")
    engine.run(scope, () => setInterval(() => {}, 60_000))
    const findings = await engine.close(scope)
    const at = `${join('test', 'core-messages.test.mjs')}:${new Error().stack.split('\n')[1].match(/:(\d+):\d+\)?$/)[1] - 2}`
    const test = "^queue polls for 'work'$"
    const last = (rerun) => leakError(scope, findings, true, undefined, rerun).message.split('\n').at(-1)
    compare(last({ runner: 'vitest', file: 'test/queue.test.js', test }), `Debug it: ASYNC_DEBUG_BREAK=${at} npx vitest run --inspect-brk --no-file-parallelism test/queue.test.js -t '^queue polls for '\\''work'\\''$'`, 'rerun (vitest)')
    compare(last({ runner: 'jest', file: 'test/queue.test.js', test }), `Debug it: ASYNC_DEBUG_BREAK=${at} node --inspect-brk node_modules/.bin/jest -i test/queue.test.js -t '^queue polls for '\\''work'\\''$'`, 'rerun (jest)')
    // A scope that is no test's (a file's): the file alone.
    compare(last({ runner: 'jest', file: 'test/queue.test.js', test: undefined }), `Debug it: ASYNC_DEBUG_BREAK=${at} node --inspect-brk node_modules/.bin/jest -i test/queue.test.js`, 'rerun (file)')
    // Jest runs ES modules with Node's vm modules, turned on in NODE_OPTIONS: the rerun keeps them.
    const options = process.env.NODE_OPTIONS
    process.env.NODE_OPTIONS = '--max-old-space-size=4096 --experimental-vm-modules'
    try {
      compare(last({ runner: 'jest', file: 'test/queue.test.js', test: undefined }), `Debug it: ASYNC_DEBUG_BREAK=${at} node --experimental-vm-modules --inspect-brk node_modules/.bin/jest -i test/queue.test.js`, 'rerun (jest, ESM)')
    } finally {
      if (options === undefined) delete process.env.NODE_OPTIONS
      else process.env.NODE_OPTIONS = options
    }
  })
})

test("a failed test is told what code of ended tests ran while it ran: callbacks of what they left, their async functions going on", async () => {
  await withEngine({}, async (engine) => {
    const file = engine.open('file', 'cache.test.js')
    const warms = engine.open('test', 'cache > warms up', file)
    let resume
    let ticked
    let timer
    engine.run(warms, () => {
      engine.allowPending((timer = setInterval(() => ticked?.(), 1)), 'polls on purpose')
      const refresh = async () => {
        await new Promise((resolve) => (resume = resolve))
        await Promise.resolve()
      }
      engine.allowPending(refresh(), 'refreshes on purpose')
    })
    await engine.close(warms)
    const reads = engine.open('test', 'cache > reads', file)
    // The interval ticks while this test runs, then the refresh goes on.
    await new Promise((resolve) => (ticked = resolve))
    clearInterval(timer)
    resume()
    await new Promise((resolve) => setImmediate(resolve))
    await engine.close(reads)
    const { error, records } = interference(reads)
    const ended = Math.round(reads.openedAt - warms.endedAt)
    const lines = fs.readFileSync(here, 'utf8').split('\n')
    const line = (text) => lines.findIndex((l) => l.includes(text)) + 1
    compare(
      normalize(error.message.replace(/ \d+ callbacks? of/, ' <n> callbacks of'), [[`ended ${ended} ms`, 'ended <n> ms']]),
      `code of test "cache > warms up" ran while this test ran, which had ended <n> ms before it started:
  1. <n> callbacks of setInterval every 1 ms, created at <test>:${line('(timer = setInterval(() => ticked')}:36
  2. its async functions went on, at <test>:${line('        await Promise.resolve()')}:23

Hint: if this test fails only after that one, that code may be why: clear or await what a test starts before it ends (allowPending() and ignore rules let it run on into later tests).`,
      'interference',
    )
    assert.deepEqual(records.map(({ kind, outcome, reason }) => ({ kind, outcome, reason })), [{ kind: 'interference', outcome: 'noted', reason: 'code of test "cache > warms up" ran while it ran' }])
  })
})
