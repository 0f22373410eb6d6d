import assert from 'node:assert/strict'
import { test } from 'node:test'
import { failed, passed } from './helpers/expect-results.mjs'
import { runners, runShared, summaryReporter } from './helpers/runners.mjs'
import { vitestMajor } from './helpers/run-vitest.mjs'


// Adopting async-debug on a suite that leaks today: what failOn leaves out is reported, not failed.
for (const runner of runners) {
  test(`${runner}: failOn: [] reports every leak next to its test and in the summary, and fails none`, () => {
    const run = runShared(runner, 'leaks', { files: ['timers.test.js'], asyncDebug: { failOn: [] }, args: summaryReporter })
    assert.ok(run.tests.size > 0)
    for (const [title, { status }] of run.tests) assert.equal(status, 'passed', title)
    assert.equal(run.exitCode, 0, run.output)
    assert.match(run.output, /async-debug: reported, not failed \(failOn\): test "leaks a timeout" left 1 async resource alive[\s\S]*setTimeout of \d+ ms, created at \S*timers\.test\.js:\d+:\d+/)
    assert.match(run.output, /not failed: allowed \(allowTests, allowLeaks\(\), allowPending\(\), ignore\), reported only \(failOn\) or warned of[\s\S]*test "leaks a timeout"\n\s+reported only: failOn leaves out leaks\n\s+1\. setTimeout/)
  })

  test(`${runner}: each kind left out of failOn is reported; the kinds in it still fail`, () => {
    const run = runShared(runner, 'mistakes', { asyncDebug: { failOn: ['leaks', 'promises', 'assertions', 'fake-timers'] } })
    passed(run, 'adds too many listeners')
    passed(run, 'leaves a listener on the shared emitter 1')
    assert.match(run.output, /async-debug: reported, not failed \(failOn\): test "adds too many listeners" emitted MaxListenersExceededWarning/)
    failed(run, 'forgets to await an assertion that would pass', /not awaited/)
    if (runner === 'vitest') {
      // Jest fails a test for its own unhandled rejection; that failure is Jest's, and stays.
      passed(run, 'drops a rejected promise')
      assert.match(run.output, /async-debug: reported, not failed \(failOn\): test "drops a rejected promise" left a promise rejection unhandled: Error: boom/)
    }
  })
}

// Each kind on its own: left out of failOn, its finding is reported and its test passes.
const kinds = ['leaks', 'promises', 'rejections', 'assertions', 'warnings', 'fake-timers', 'slow-callbacks']
const perKind = [
  ['promises', 'promises', 'promises.test.js', 'starts a wait that a later test resumes', /did not await async call waitForReady\(\)/],
  ['assertions', 'mistakes', 'unawaited.test.js', 'forgets to await an assertion that would pass', /not awaited/],
  ['fake-timers', 'fake-timers', 'left-installed.test.js', 'leaves fake timers installed', /fake timers still installed/],
  ['slow-callbacks', 'diagnostics', 'slow.test.js', 'blocks the loop in a timer callback', /a setTimeout callback blocked the event loop for \d+ ms/],
]
for (const runner of runners)
  for (const [kind, fixture, file, title, what] of perKind)
    test(`${runner}: failOn without '${kind}' reports it and passes the test; with it, the test fails`, () => {
      // Slow callbacks are timed only when asked for: failOn with them does, failOn without them does not.
      const timed = kind === 'slow-callbacks' ? { slowCallbackMs: 100 } : {}
      const without = runShared(runner, fixture, { files: [file], asyncDebug: { failOn: kinds.filter((k) => k !== kind), ...timed } })
      // Vitest 5 fails a test for an unawaited assertion itself: the runner's own failures stay.
      if (kind === 'assertions' && runner === 'vitest' && vitestMajor >= 5) return failed(without, title, /was not awaited/)
      passed(without, title)
      // A slow callback is reported as it happens, the others when their test is judged.
      const report = kind === 'slow-callbacks' ? what : new RegExp(`async-debug: reported, not failed \\(failOn\\): [^\\n]*${title}[\\s\\S]*?${what.source}`)
      assert.match(without.output, report)
      failed(runShared(runner, fixture, { files: [file], asyncDebug: { failOn: kinds } }), title, what)
    })
