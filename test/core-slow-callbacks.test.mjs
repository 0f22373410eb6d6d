import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SlowCallbacks } from './helpers/core.mjs'

function busy(ms) {
  // CPU time, not wall time: on a loaded machine a wall-time loop may barely run.
  for (const start = process.cpuUsage(); (process.cpuUsage(start).user + process.cpuUsage(start).system) / 1000 < ms; );
}

// The keys are the recorder's (async ids on Node 20, a counter where v8.promiseHooks records): the
// link must not depend on what async_hooks calls the promises.
test('with timeAllCallbacks, a slow continuation is located at the site of the promise it ran after, by that promise\'s key', async () => {
  const scope = { title: 'test "t"', outer: false }
  const reports = []
  const slow = new SlowCallbacks(50, true, () => scope, () => scope, (owner, what, took, site) => reports.push({ owner, what, took, site }))
  const site = { cause: undefined, stack: 'Error\n    at here (/app/t.test.js:3:9)' }
  slow.enable()
  try {
    const root = new Promise((resolve) => setImmediate(resolve))
    slow.promise(root, 7001, undefined, site)
    const located = root.then(() => busy(80))
    slow.promise(located, 0, 7001, undefined)
    await located
    // A continuation of a promise with no recorded site is reported with its test instead.
    const unknown = new Promise((resolve) => setImmediate(resolve)).then(() => busy(80))
    slow.promise(unknown, 0, 7002, undefined)
    await unknown
  } finally {
    slow.disable()
  }
  assert.equal(reports.length, 2)
  assert.equal(reports[0].site, site)
  assert.equal(reports[0].owner, scope)
  assert.match(reports[0].what, /^code that ran once a promise settled \(after an await, or in a then\(\) callback\)$/)
  assert.ok(reports[0].took > 70)
  assert.equal(reports[1].site, undefined)
  assert.match(reports[1].what, / in test "t"$/)
})

// A loaded machine stretches wall time without using the CPU: three identical runs of a real suite
// gave one test 138 to 1369 ms. What a test's synchronous part used of the CPU is what it blocked.
test('the synchronous part of a test is slow by the CPU time it used, not the wall time it spanned', () => {
  const scope = { title: 'test "t"', outer: false }
  const reports = []
  const slow = new SlowCallbacks(50, false, () => scope, () => scope, (owner, what, took) => reports.push({ what, took }))
  const cpu = () => (process.cpuUsage().user + process.cpuUsage().system) / 1000
  // 300 ms of wall time in which it used no CPU: waiting for one.
  slow.ran(scope, performance.now() - 300, cpu())
  assert.deepEqual(reports, [])
  const wall = performance.now()
  const started = cpu()
  busy(80)
  slow.ran(scope, wall, started)
  assert.equal(reports.length, 1)
  assert.match(reports[0].what, /^the synchronous part of test "t"$/)
  assert.ok(reports[0].took >= 80 && reports[0].took <= performance.now() - wall, `took ${reports[0].took}`)
})

// The first fetch() of a process makes Node compile undici, 100 ms and more on a loaded machine.
test('the sentinel reports a continuation that blocked the loop, but not a window in which Node compiled a library it bundles', async () => {
  const scope = { title: 'test "t"', outer: false, openedAt: performance.now() }
  const reports = []
  const slow = new SlowCallbacks(50, false, () => scope, () => scope, (owner, what, took) => reports.push({ what, took }))
  slow.enable()
  try {
    await new Promise((resolve) => setTimeout(resolve, 30))
    await Promise.resolve().then(() => busy(120))
    await new Promise((resolve) => setTimeout(resolve, 30))
    assert.equal(reports.length, 1)
    assert.match(reports[0].what, /^a promise continuation or an I\/O callback during test "t"/)
    const before = process.moduleLoadList.length
    await Promise.resolve().then(() => {
      // undici, which Node bundles, loaded on the first use of fetch's classes.
      void globalThis.Headers
      busy(120)
    })
    await new Promise((resolve) => setTimeout(resolve, 30))
    assert.ok(process.moduleLoadList.slice(before).some((name) => name.includes('internal/deps/undici')), 'undici was loaded')
    assert.equal(reports.length, 1)
  } finally {
    slow.disable()
  }
})
