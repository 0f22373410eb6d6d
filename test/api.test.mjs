import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runShared, runners } from './helpers/runners.mjs'

// The API is imported by test code, in the runner's module graph or vm realm, and reaches the environment's engine.
for (const runner of runners) {
  const run = runShared(runner, 'api', { files: ['api.test.js'] })

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

for (const runner of runners) {
  const run = runShared(runner, 'api', { files: ['tasks.test.js'] })

  test(`${runner}: getPendingTasks() describes what the test has pending, innermost first, with nameTask() names`, () => {
    assert.equal(run.tests.get('lists what it has pending, with names, kinds and lines')?.status, 'passed', run.tests.get('lists what it has pending, with names, kinds and lines')?.message)
  })

  test(`${runner}: a leak that expectNoPendingTasks() threw for is not reported again when the test ends`, () => {
    const { status, message } = run.tests.get('is told of its leak by expectNoPendingTasks')
    assert.equal(status, 'failed')
    assert.match(message, /has 1 pending async resource:\s+1\. setInterval every 1000 ms/)
    assert.doesNotMatch(message, /left 1 async resource alive when it ended/)
  })

  test(`${runner}: dumpPendingTasks() prints each pending task with its creation stack`, () => {
    assert.equal(run.tests.get('prints what it has pending')?.status, 'passed')
    assert.match(run.output, /async-debug: test "prints what it has pending": 1 pending task, innermost first:\n\s+1\. timer "slow reply" \(setTimeout of 5000 ms, \d+ ms old\), of test "prints what it has pending"\n\s+at .*tasks\.test\.js:20:26/)
  })

  test(`${runner}: a name given with nameTask() is used in leak reports; a bad name is a TypeError`, () => {
    const leak = run.tests.get('a leak says the name it was given')
    assert.equal(leak?.status, 'failed')
    assert.match(leak.message, /1\. "forgotten poller": setInterval every 1000 ms, created at \S*tasks\.test\.js:25:12/)
    const bad = run.tests.get('rejects a name that is not a string')
    assert.equal(bad?.status, 'failed')
    assert.match(bad.message, /TypeError: nameTask: expected a name, as a non-empty string/)
  })
}
