import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runShared, runners } from './helpers/runners.mjs'

// The API is imported by test code, in the runner's module graph or vm realm, and reaches the environment's engine.
for (const runner of runners) {
  const run = runShared(runner, 'api')

  test(`${runner}: expectNoPendingTasks() passes when the test has nothing pending`, () => {
    assert.equal(run.tests.get('passes when nothing is pending')?.status, 'passed', run.output)
  })

  test(`${runner}: expectNoPendingTasks() throws a listing of what is pending, without disposing of it`, () => {
    const { status, message } = run.tests.get('throws while an interval is pending')
    assert.equal(status, 'failed')
    assert.match(message, /^AsyncLeakError: test "throws while an interval is pending" has 1 pending async resource:\n\n {2}1\. setInterval every 1000 ms, created at \S*api\.test\.js:9:17/)
    assert.doesNotMatch(message, /disposed/)
  })

  test(`${runner}: expectNoPendingTasks() validates its options`, () => {
    const { status, message } = run.tests.get('rejects a bad scope option')
    assert.equal(status, 'failed')
    assert.match(message, /TypeError: expectNoPendingTasks: option `scope` must be one of test, suite, file, got 'everything'/)
  })

  test(`${runner}: expectNoPendingTasks({ scope: "suite" }) sees what beforeAll started`, () => {
    assert.equal(run.tests.get('sees the suite interval')?.status, 'passed', run.tests.get('sees the suite interval')?.message)
  })
}
