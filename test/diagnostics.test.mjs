import assert from 'node:assert/strict'
import { test } from 'node:test'
import { failed, passed } from './helpers/expect-results.mjs'
import { runShared, runners } from './helpers/runners.mjs'

for (const runner of runners) {
  const hang = runShared(runner, 'diagnostics', { files: ['hang.test.js'] })

  test(`${runner}: a test that times out says what it was waiting on, at the line that waits, and keeps the runner's timeout message`, () => {
    // Vitest's JSON report carries the timeout's stack, not its message, which its own output prints.
    if (runner === 'vitest') assert.match(hang.output, /Test timed out in 300ms/)
    else failed(hang, 'waits for an event that never comes', /Exceeded timeout of 300 ms for a test/)
    failed(hang, 'waits for an event that never comes', /test "waits for an event that never comes" timed out while still waiting on:\s+1\. new Promise\(\) still pending, created at \S*hang\.test\.js:5:9\n/)
    failed(hang, 'waits on a timer that fires too late', /timed out while still waiting on:\s+1\. setTimeout of 10000 ms, created at \S*hang\.test\.js:8:34\n\s+2\. new Promise\(\) still pending, created at \S*hang\.test\.js:8:9\n/)
    // The timer it waited on is not reported a second time as a leak.
    assert.doesNotMatch(hang.tests.get('waits on a timer that fires too late').message, /AsyncLeakError/)
    passed(hang, 'passes after them')
  })
}
