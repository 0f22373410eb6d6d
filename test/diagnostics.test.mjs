import assert from 'node:assert/strict'
import { test } from 'node:test'
import { failed, passed } from './helpers/expect-results.mjs'
import { importedCallColumn, onlyFor, runShared, runners } from './helpers/runners.mjs'
import { runVitest } from './helpers/run-vitest.mjs'

for (const runner of runners) {
  const hang = runShared(runner, 'diagnostics', { files: ['hang.test.js'] })

  // `once(...)` is an imported function's call: Vitest 3.2 places it at its parenthesis.
  const once = (column) => importedCallColumn(runner, column, 'once')

  test(`${runner}: a test that times out says what it was waiting on, at the line that waits, and keeps the runner's timeout message`, () => {
    // Vitest's JSON report carries the timeout's stack, not its message, which its own output prints.
    if (runner === 'vitest') assert.match(hang.output, /Test timed out in 300ms/)
    else failed(hang, 'waits for an event that never comes', /Exceeded timeout of 300 ms for a test/)
    failed(hang, 'waits for an event that never comes', new RegExp(String.raw`test "waits for an event that never comes" timed out while still waiting on:\s+1\. new Promise\(\) still pending, created at \S*hang\.test\.js:5:${once(9)}\n`))
    failed(hang, 'waits on a timer that fires too late', /timed out while still waiting on:\s+1\. setTimeout of 10000 ms, created at \S*hang\.test\.js:8:34\n\s+2\. new Promise\(\) still pending, created at \S*hang\.test\.js:8:9\n/)
    // What it awaits comes first, then what runs beside it.
    failed(hang, 'waits for an event beside a poller', new RegExp(String.raw`timed out while still waiting on:\s+1\. new Promise\(\) still pending, created at \S*hang\.test\.js:20:${once(11)}\n\s+2\. setInterval every 1000 ms, created at \S*hang\.test\.js:18:18\n`))
    // The timer it waited on is not reported a second time as a leak.
    assert.doesNotMatch(hang.tests.get('waits on a timer that fires too late').message, /AsyncLeakError/)
    passed(hang, 'passes after them')
  })

  test(`${runner}: a beforeEach hook that times out says, on its test, what the hook was waiting on`, () => {
    failed(hang, 'never gets to run', new RegExp(String.raw`test "a hook that hangs > never gets to run" timed out while still waiting on:\s+1\. new Promise\(\) still pending, created by its beforeEach hook at \S*hang\.test\.js:13:${once(11)}\n`))
  })
}

test('jest: a test that times out waiting for its done callback says so, and what else it waited on', onlyFor('jest'), () => {
  const run = runShared('jest', 'diagnostics', { files: ['hang-done.test.js'] })
  failed(run, 'never calls done', /test "never calls done" timed out waiting for its done callback to be called, and async-debug knows of nothing else it was still waiting on: done\(\) was never called/)
  failed(run, 'waits for done beside a timer', /test "waits for done beside a timer" timed out waiting for its done callback to be called, while still waiting on:\s+1\. setTimeout of 10000 ms, created at \S*hang-done\.test\.js:8:3/)
})

for (const runner of runners) {
  const slow = runShared(runner, 'diagnostics', { files: ['slow.test.js'], asyncDebug: { slowCallbackMs: 100 } })
  const failing = runShared(runner, 'diagnostics', { files: ['slow.test.js'], asyncDebug: { failOnSlowCallback: true } })
  const byDefault = runShared(runner, 'diagnostics', { files: ['slow.test.js'] })

  test(`${runner}: a timer callback that blocks the event loop is reported with its duration, its test and the line of its setTimeout; the test passes`, () => {
    passed(slow, 'blocks the loop in a timer callback')
    assert.match(slow.output, /async-debug: a setTimeout callback blocked the event loop for \d{3} ms \(slowCallbackMs: 100\), created at \S*slow\.test\.js:7:34, in test "blocks the loop in a timer callback"\.\n\s+Hint: move the blocking work off the event loop/)
    // On stderr, not through the test's console: suites that fail tests on console calls would fail it.
    assert.doesNotMatch(slow.output, /console\.warn|stderr \| slow\.test\.js/)
  })

  test(`${runner}: a test body that blocks the event loop is reported; a callback under slowCallbackMs is not`, () => {
    passed(slow, 'blocks the loop in its own body')
    assert.match(slow.output, /async-debug: the synchronous part of test "blocks the loop in its own body" blocked the event loop for \d{3} ms \(slowCallbackMs: 100\)\./)
    assert.doesNotMatch(slow.output, /setImmediate callback blocked/)
  })

  if (runner === 'vitest')
    test('vitest: with includeTaskLocation, a test body that blocks the event loop is reported at the line that defined the test', () => {
      const located = runVitest('diagnostics', { files: ['slow.test.js'], test: { includeTaskLocation: true, environmentOptions: { asyncDebug: { slowCallbackMs: 100 } } } })
      assert.match(located.output, /async-debug: the synchronous part of test "blocks the loop in its own body" blocked the event loop for \d{3} ms \(slowCallbackMs: 100\), created at \S*slow\.test\.js:9:1, in test "blocks the loop in its own body"\./)
    })

  test(`${runner}: failOnSlowCallback makes a slow callback fail its test, at the line of its setTimeout, for 100 ms by default`, () => {
    failed(failing, 'blocks the loop in a timer callback', /test "blocks the loop in a timer callback" blocked the event loop: SlowCallback: a setTimeout callback blocked the event loop for \d{3} ms \(slowCallbackMs: 100\)[\s\S]*Hint: move the blocking work off the event loop[\s\S]*slow\.test\.js:7:34/)
    failed(failing, 'blocks the loop in its own body', /blocked the event loop: SlowCallback: the synchronous part of test "blocks the loop in its own body" blocked the event loop/)
    passed(failing, 'blocks briefly')
  })

  test(`${runner}: by default, slow callbacks are not timed: nothing is reported`, () => {
    assert.doesNotMatch(byDefault.output, /blocked the event loop/)
    assert.equal(byDefault.exitCode, 0, byDefault.output)
  })
}

for (const runner of runners) {
  const stuck = runShared(runner, 'diagnostics', { files: ['stuck.test.js'], asyncDebug: { watchdogSeconds: 1 } })
  // Tests that each wait on a timer and finish, 3 s in all: a watchdog of 2 s has nothing to say
  // (timed in wall time, as a stuck CI job is: slow.test.js's busy tests stretch past it under load).
  const quiet = runShared(runner, 'diagnostics', { files: ['progress.test.js'], asyncDebug: { watchdogSeconds: 2 } })

  test(`${runner}: the watchdog prints what a worker waits on when no test has finished for watchdogSeconds, what it awaits first`, () => {
    assert.match(stuck.output, new RegExp(String.raw`async-debug watchdog \(pid \d+\): no test has finished for \d+\.\d s\. What this worker is waiting on:\n\ntest "waits a long time for an event": 2 pending tasks, innermost first:\n\s+1\. promise \(new Promise\(\) still pending, \d+ ms old\), of test "waits a long time for an event"\n\s+at .*stuck\.test\.js:7:${importedCallColumn(runner, 11, 'once')}\)?\n\s+2\. timer \(setInterval every 1000 ms, \d+ ms old\), of test "waits a long time for an event"\n\s+at .*stuck\.test\.js:5:18`))
    // It prints again while the run stays stuck (each second of it, or later on a loaded machine), and
    // the test's own result is kept.
    assert.ok(stuck.output.match(/no test has finished for \d+\.\d s/g)?.length >= 2, stuck.output)
    assert.equal(stuck.tests.get('waits a long time for an event')?.status, 'failed')
  })

  test(`${runner}: the watchdog says nothing while tests keep finishing`, () => {
    assert.equal([...quiet.tests.values()].filter(({ status }) => status === 'passed').length, 11, quiet.output)
    assert.doesNotMatch(quiet.output, /async-debug watchdog/)
  })
}

for (const runner of runners) {
  const all = runShared(runner, 'diagnostics', { files: ['slow-anywhere.test.js', 'slow.test.js', 'waits.test.js'], asyncDebug: { timeAllCallbacks: true } })
  const timersOnly = runShared(runner, 'diagnostics', { files: ['slow-anywhere.test.js', 'waits.test.js'], asyncDebug: { slowCallbackMs: 100 } })
  const failing = runShared(runner, 'diagnostics', { files: ['slow-anywhere.test.js'], asyncDebug: { timeAllCallbacks: true, failOnSlowCallback: true } })

  test(`${runner}: with timeAllCallbacks, a promise continuation and an I/O callback that block the loop are reported, each at its line, for the CPU time they used`, () => {
    // Located by the promise it ran after: the line that awaited.
    const continuation = all.output.match(/async-debug: code that ran once a promise settled \(after an await, or in a then\(\) callback\) blocked the event loop for (\d+) ms \(slowCallbackMs: 100\), created at \S*slow-anywhere\.test\.js:14:9, in test "blocks the loop after an await"\./)
    assert.ok(continuation, all.output)
    // A block of 150 ms of CPU time reads as such, however loaded the machine.
    assert.ok(Number(continuation[1]) >= 145 && Number(continuation[1]) <= 170, `reported ${continuation[1]} ms for a 150 ms block`)
    assert.match(all.output, new RegExp(String.raw`async-debug: a callback of TCP socket [\d.:]+ -> [\d.:]+ blocked the event loop for \d{3,} ms \(slowCallbackMs: 100\), created at \S*slow-anywhere\.test\.js:20:${importedCallColumn(runner, 18, 'connect')}, in test "blocks the loop in a socket callback"\.`))
    passed(all, 'blocks the loop after an await')
    passed(all, 'blocks the loop in a socket callback')
  })

  test(`${runner}: with timeAllCallbacks, a slow timer callback or test body is reported once, not again as the callback around it; a wait that uses no CPU is none`, () => {
    assert.equal(all.output.match(/blocked the event loop for/g)?.length, 4, all.output)
    passed(all, 'waits without using the CPU')
  })

  test(`${runner}: without timeAllCallbacks, promise continuations and I/O callbacks are not timed: nothing is reported that names no line`, () => {
    assert.doesNotMatch(timersOnly.output, /blocked the event loop/)
    assert.equal(timersOnly.exitCode, 0, timersOnly.output)
  })

  test(`${runner}: with timeAllCallbacks, failOnSlowCallback fails the test whose continuation blocked the loop, even as its last act, at its line`, () => {
    failed(failing, 'blocks the loop after an await', /SlowCallback: code that ran once a promise settled \(after an await, or in a then\(\) callback\) blocked the event loop[\s\S]*slow-anywhere\.test\.js:14:9/)
    failed(failing, 'blocks the loop in a socket callback', /SlowCallback: a callback of TCP socket/)
  })
}
