import assert from 'node:assert/strict'
import { test } from 'node:test'
import { failed, passed } from './helpers/expect-results.mjs'
import { runJest } from './helpers/run-jest.mjs'

// What only Jest has: CommonJS test files in a vm realm, done callbacks, test.each, worker
// processes or one process (--runInBand), and composing with another environment.
for (const mode of [['--runInBand'], ['--maxWorkers=2']]) {
  const run = runJest('jest/commonjs', { args: mode })
  const title = (text) => `${mode[0]}: ${text}`

  test(title('CommonJS tests: each leak fails its test, at the line that created it'), () => {
    failed(run, 'leaks an interval', /^AsyncLeakError: test "leaks an interval" left 1 async resource[\s\S]*setInterval every 1000 ms, created at \S*leaks\.test\.js:6:3/)
    failed(run, 'leaks a server after an await', /HTTP server listening on 127\.0\.0\.1:\d+, created at \S*leaks\.test\.js:10:23/)
    failed(run, 'leaks a child process', /child process 'sleep 5' pid \d+, created at \S*leaks\.test\.js:13:3/)
    failed(run, 'leaks a timer from a done-callback test', /setTimeout of 10000 ms, created at \S*leaks\.test\.js:25:3/)
    passed(run, 'clean neighbour')
  })

  test(title('a floating call made in the test realm is found when it resumes, though it awaits a promise of the outer realm'), () => {
    failed(run, 'leaves a call made in the test realm, which resumes later', /did not await async call waitForReady\(\), which ran again during test "resumes the call of an earlier test", after the test had ended[\s\S]*leaks\.test\.js:22:3/)
    passed(run, 'resumes the call of an earlier test')
  })

  test(title('require("async-debug") in a test reaches the environment in the outer realm'), () => {
    passed(run, 'sees its pending interval through require("async-debug")')
  })

  test(title('test.each cases and test.concurrent are judged one by one'), () => {
    passed(run, 'test.each case 1 is clean')
    passed(run, 'test.each case 2 is clean')
    failed(run, 'concurrent leaker', /test "concurrent > concurrent leaker" left 1[\s\S]*setTimeout of 5000 ms, created at \S*scopes\.test\.js:20:5/)
    failed(run, 'concurrent interval leaker', /test "concurrent > concurrent interval leaker" left 1[\s\S]*setInterval every 1000 ms, created at \S*scopes\.test\.js:24:5/)
    passed(run, 'concurrent clean')
  })

  test(title('describe-level beforeAll and import-time leaks fail the file, naming the suite or file'), () => {
    assert.ok(run.fileErrors.some((m) => /^suite "database suite" left 1[\s\S]*TCP server listening on 127\.0\.0\.1:\d+, created at \S*scopes\.test\.js:10:43/.test(m)), run.fileErrors.join('\n'))
    assert.ok(run.fileErrors.some((m) => /^file scopes\.test\.js left 1[\s\S]*setInterval every 1000 ms, created at \S*scopes\.test\.js:4:16/.test(m)), run.fileErrors.join('\n'))
    passed(run, 'uses the suite server')
    passed(run, 'runs beside the module-level interval')
  })

  test(title('beforeEach belongs to its test, and a leak of its names it'), () => {
    passed(run, 'beforeEach timer cleared by afterEach')
    failed(run, 'only test under a leaky beforeEach', /setTimeout of 5000 ms, created by its beforeEach hook at \S*scopes\.test\.js:42:5/)
  })

  test(title('a test that times out also says what it was waiting on'), () => {
    const { message } = run.tests.get('times out waiting on a timer')
    assert.match(message, /Exceeded timeout of 100 ms/)
    assert.match(message, /setTimeout of 60000 ms, created at \S*scopes\.test\.js:48:34/)
  })

  test(title('the run ends promptly with exit code 1, although the leaks would keep its workers alive'), () => {
    assert.equal(run.timedOut, false)
    assert.equal(run.hung, false, run.output)
    assert.equal(run.exitCode, 1)
    assert.equal(run.tests.size, 18)
  })
}

test('withAsyncDebug() adds the checks to another environment, whose own setup and event handler keep working', () => {
  const run = runJest('jest/composed', { config: { testEnvironment: '<rootDir>/environment.js' } })
  passed(run, 'sees what its own environment set up')
  failed(run, 'leaks an interval under a composed environment', /setInterval every 1000 ms, created at \S*composed\.test\.js:6:3/)
})

test('a RegExp option emptied by Jest on its way to workers fails with an error saying to use a string', () => {
  const run = runJest('shared/leaks', { args: ['--maxWorkers=2'], config: { testEnvironmentOptions: { asyncDebug: { ignore: { stacks: [/timers/] } } } } })
  assert.notEqual(run.exitCode, 0)
  assert.equal(run.tests.size, 0)
  assert.match(run.output, /TypeError: async-debug: option `testEnvironmentOptions\.asyncDebug\.ignore\.stacks\[0\]` must be a string, or a RegExp written as a string such as '\/pino\/i' \(Jest's config reaches its workers as JSON, which empties a RegExp\), got \{\}/)
})
