import assert from 'node:assert/strict'
import { test } from 'node:test'
import { failed, passed } from './helpers/expect-results.mjs'
import { runShared, runners } from './helpers/runners.mjs'

for (const runner of runners) {
  const run = runShared(runner, 'ownership')
  const fileFailed = (file) => (runner === 'vitest' ? new RegExp(`FAIL\\s+${file} \\[`).test(run.output) : run.fileErrors.some((error) => error.includes(file)))

  test(`${runner}: what a server of the file does for a request belongs to the test that sent it, at the handler's line`, () => {
    failed(run, 'requests the endpoint whose handler leaks a timer', /left 1 async resource alive when it ended[\s\S]*1\. setTimeout of 5000 ms, created at \S*handler\.test\.js:9:31/)
    passed(run, 'requests a clean endpoint')
    passed(run, 'requests the clean endpoint again, with http.get')
    assert.ok(!fileFailed('handler.test.js'), run.output)
  })

  test(`${runner}: a request in flight belongs to the test that sent it, on a keep-alive socket an earlier test opened`, () => {
    failed(run, 'leaves a request in flight on a reused socket', /HTTP request GET http:\/\/127\.0\.0\.1:\d+\/slow still in flight \(fetch\(\)\)[\s\S]*setTimeout of 1500 ms, created at \S*in-flight\.test\.js:10:30/)
    passed(run, 'opens two keep-alive sockets')
  })

  test(`${runner}: disposing of a request in flight makes its then() chain reject quietly: one failure, the leak's`, () => {
    failed(run, 'fires a request and forgets it', /HTTP request GET http:\/\/127\.0\.0\.1:\d+\/slow still in flight/)
    passed(run, 'runs after them')
    assert.doesNotMatch(run.output, /Unhandled Rejection|Unhandled error|fetch failed/i)
    assert.ok(!fileFailed('in-flight.test.js'), run.output)
  })

  test(`${runner}: a server a test starts and the file's afterAll closes is no leak, and its close() works`, () => {
    passed(run, 'starts the shared server')
    passed(run, 'uses the shared server')
    assert.doesNotMatch(run.output, /Server is not running/)
    assert.ok(!fileFailed('closed-by-suite.test.js'), run.output)
  })
}
