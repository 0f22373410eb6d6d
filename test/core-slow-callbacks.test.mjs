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
