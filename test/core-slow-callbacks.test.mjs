import assert from 'node:assert/strict'
import { test } from 'node:test'
import { connect, createServer } from 'node:net'
import { creationSite, Engine, resolveOptions, SlowCallbacks, started, threadCpuMs } from './helpers/core.mjs'

// This thread's CPU time, as async-debug counts it: a process-wide count would include the time
// other threads used meanwhile, and a wall-time loop barely runs on a loaded machine. On Node 20
// Linux updates the count at each scheduler tick: a reading may be a few ms old, hence the margins.
function busy(ms) {
  for (const start = threadCpuMs(); threadCpuMs() - start < ms; );
}

// The keys are the recorder's (async ids on Node 20, a counter where v8.promiseHooks records): the
// link must not depend on what async_hooks calls the promises.
test("with timeAllCallbacks, a slow continuation is located at the site of the promise it ran after, by that promise's key; one that cannot be located is not reported", async () => {
  const scope = { title: 'test "t"', outer: false }
  const reports = []
  const slow = new SlowCallbacks(50, true, () => scope, (owner, what, took, site) => reports.push({ owner, what, took, site }))
  const site = { cause: undefined, stack: 'Error\n    at here (/app/t.test.js:3:9)' }
  slow.enable()
  try {
    const root = new Promise((resolve) => setImmediate(resolve))
    slow.promise(root, 7001, undefined, site)
    const located = root.then(() => busy(80))
    slow.promise(located, 0, 7001, undefined)
    await located
    // A continuation of a promise with no recorded site names no line: not reported.
    const unknown = new Promise((resolve) => setImmediate(resolve)).then(() => busy(80))
    slow.promise(unknown, 0, 7002, undefined)
    await unknown
  } finally {
    slow.disable()
  }
  assert.equal(reports.length, 1)
  assert.equal(reports[0].site, site)
  assert.equal(reports[0].owner, scope)
  assert.deepEqual(reports[0].what, { is: 'continuation' })
  assert.ok(reports[0].took >= 75 && reports[0].took < 100, `took ${reports[0].took}`)
})

// A loaded machine stretches wall time without using the CPU: three identical runs of a real suite
// gave one test 138 to 1369 ms. What a test's synchronous part used of the CPU is what it blocked.
test('the synchronous part of a test is slow by the CPU time its thread used, not the wall time it spanned', () => {
  const scope = { title: 'test "t"', outer: false }
  const reports = []
  const slow = new SlowCallbacks(50, false, () => scope, (owner, what, took) => reports.push({ what, took }))
  // 300 ms of wall time in which it used no CPU: waiting for one.
  slow.ran(scope, { ...started(), wall: performance.now() - 300 })
  assert.deepEqual(reports, [])
  const start = started()
  busy(80)
  slow.ran(scope, start)
  assert.equal(reports.length, 1)
  assert.deepEqual(reports[0].what, { is: 'sync-part', scope: 'test "t"' })
  assert.ok(reports[0].took >= 75 && reports[0].took < 100, `took ${reports[0].took}`)
})

// The first fetch() of a process makes Node compile undici, 100 ms and more on a loaded machine.
test('a window in which Node compiled a library it bundles is no block of the code that ran', () => {
  const scope = { title: 'test "t"', outer: false }
  const reports = []
  const slow = new SlowCallbacks(50, false, () => scope, (owner, what, took) => reports.push({ what, took }))
  const before = process.moduleLoadList.length
  const start = started()
  // undici, which Node bundles, loaded on the first use of fetch's classes.
  void globalThis.Headers
  busy(80)
  slow.ran(scope, start)
  assert.ok(process.moduleLoadList.slice(before).some((name) => name.includes('internal/deps/undici')), 'undici was loaded')
  assert.deepEqual(reports, [])
})

// What other threads of the process use (V8's GC and compiler threads, libuv's pool, workers) is not
// the event loop's: a process-wide count made a 150 ms block read as 199 and 329 ms on a loaded machine.
test("a block is counted in the event loop thread's CPU time, not the process's", async () => {
  const { Worker } = await import('node:worker_threads')
  const scope = { title: 'test "t"', outer: false }
  const reports = []
  const slow = new SlowCallbacks(50, false, () => scope, (owner, what, took) => reports.push({ what, took }))
  // A worker that spins while this thread does: the process uses about twice the CPU.
  const worker = new Worker('for (const end = Date.now() + 2000; Date.now() < end; );', { eval: true })
  await new Promise((resolve) => worker.once('online', resolve))
  try {
    const process0 = process.cpuUsage()
    const start = started()
    busy(80)
    slow.ran(scope, start)
    const { user, system } = process.cpuUsage(process0)
    assert.equal(reports.length, 1)
    assert.ok(reports[0].took >= 75 && reports[0].took < 100, `took ${reports[0].took} (the process used ${(user + system) / 1000} ms)`)
  } finally {
    await worker.terminate()
  }
})

test('threadCpuMs counts the thread that reads it, in a worker thread too', async () => {
  const { Worker } = await import('node:worker_threads')
  const helper = new URL('./helpers/core.mjs', import.meta.url).href
  const worker = new Worker(
    `import('${helper}').then(({ threadCpuMs }) => { const a = threadCpuMs(); for (const s = threadCpuMs(); threadCpuMs() - s < 50; ); require('node:worker_threads').parentPort.postMessage(threadCpuMs() - a) })`,
    { eval: true },
  )
  const main = threadCpuMs()
  const used = await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject))
  assert.ok(used >= 50 && used < 70, `the worker counted ${used} ms`)
  // This thread waited meanwhile: what the worker used is not counted here.
  assert.ok(threadCpuMs() - main < 40, `this thread counted ${threadCpuMs() - main} ms`)
})

// A server listening on a host name gets its handle once the name is looked up, on Node's stack
// alone: its slow callback is placed at the line that called listen(), as its leak is, not
// "created by Node or a dependency".
test("with timeAllCallbacks, a server's slow callback is placed at the user's listen() line", async () => {
  const reports = []
  const engine = new Engine(resolveOptions({ slowCallbackMs: 50, timeAllCallbacks: true }), { onSlowCallback: (slow) => reports.push({ ran: slow.ran, at: creationSite(slow.site) }) }).enable()
  try {
    const scope = engine.open('test', 't')
    await engine.run(scope, async () => {
      const server = createServer((socket) => (busy(80), socket.end()))
      await new Promise((resolve) => server.listen(0, 'localhost', resolve))
      const client = connect(server.address().port, server.address().address)
      await new Promise((resolve) => client.on('close', resolve).resume())
      await new Promise((resolve) => server.close(resolve))
    })
    await engine.close(scope)
  } finally {
    engine.disable()
  }
  // As it is printed: when it happens.
  const server = reports.find(({ ran }) => ran.is === 'callback-of' && ran.facts.is === 'server')
  assert.ok(server, JSON.stringify(reports))
  assert.match(server.at ?? '', /core-slow-callbacks\.test\.mjs:120:45$/)
})
