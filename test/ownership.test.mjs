import assert from 'node:assert/strict'
import { test } from 'node:test'
import { failed, passed } from './helpers/expect-results.mjs'
import { importedCallColumn, runShared, runners } from './helpers/runners.mjs'

for (const runner of runners) {
  const run = runShared(runner, 'ownership')
  const fileFailed = (file) => (runner === 'vitest' ? new RegExp(`FAIL\\s+${file} \\[`).test(run.output) : run.fileErrors.some((error) => error.includes(file)))

  test(`${runner}: what a server of the file does for a request belongs to the test that sent it, at the handler's line, once the server's afterAll left it`, () => {
    failed(run, 'requests the endpoint whose handler leaks a timer', /left 1 async resource alive that the afterAll hooks of file handler\.test\.js did not close either \(async-debug waited for them\):[\s\S]*1\. setTimeout of 5000 ms, created by a server's handler for its request at \S*handler\.test\.js:9:31/)
    passed(run, 'requests a clean endpoint')
    passed(run, 'requests the clean endpoint again, with http.get')
    assert.ok(!fileFailed('handler.test.js'), run.output)
  })

  // Found on nestjs/throttler: its rate limiter keeps a window timer per request, cleared when afterAll closes the app.
  test(`${runner}: what a server's handler keeps for a request in its own state, cleared by the afterAll that closes it, fails nothing`, () => {
    passed(run, 'counts a first request in the window')
    passed(run, 'counts a second request in the same window')
    assert.ok(!fileFailed('handler-state.test.js'), run.output)
  })

  // Found on unjs/ofetch: most servers listen on '::', where 127.0.0.1 is ::ffff:127.0.0.1.
  test(`${runner}: a dual-stack server's handler work for a request is the requesting test's too`, () => {
    failed(run, 'requests a dual-stack server whose handler leaks a timer', /setTimeout of 3000 ms, created by a server's handler for its request at \S*dual-stack\.test\.js:9:31/)
    passed(run, 'requests the dual-stack server cleanly')
    assert.ok(!fileFailed('dual-stack.test.js'), run.output)
  })

  // Found on unjs/ofetch: a request that disposal made the client retry is no work of the file's server to blame.
  test(`${runner}: what a server does for a request that a judged test's code sent later fails nothing else`, () => {
    failed(run, 'leaves a request with a retry in flight', /HTTP request GET http:\/\/127\.0\.0\.1:\d+\/slow still in flight/)
    passed(run, 'runs after the retry was sent')
    assert.ok(!fileFailed('disposal-retry.test.js'), run.output)
  })

  test(`${runner}: a request in flight belongs to the test that sent it, on a keep-alive socket an earlier test opened`, () => {
    // fetch() sends in turns of its own: the request is placed at the line that called it.
    failed(run, 'leaves a request in flight on a reused socket', /HTTP request GET http:\/\/127\.0\.0\.1:\d+\/slow still in flight \(fetch\(\)\), created at \S*in-flight\.test\.js:27:16\n[\s\S]*setTimeout of 1500 ms, created by a server's handler for its request at \S*in-flight\.test\.js:10:30/)
    passed(run, 'opens two keep-alive sockets')
  })

  test(`${runner}: disposing of a request in flight makes its then() chain reject quietly: one failure, the leak's`, () => {
    failed(run, 'fires a request and forgets it', /HTTP request GET http:\/\/127\.0\.0\.1:\d+\/slow still in flight \(fetch\(\)\), created at \S*in-flight\.test\.js:33:3\n/)
    passed(run, 'runs after them')
    assert.doesNotMatch(run.output, /Unhandled Rejection|Unhandled error|fetch failed/i)
    assert.ok(!fileFailed('in-flight.test.js'), run.output)
  })

  test(`${runner}: what a describe callback starts is its suite's, judged after its afterAll, a describe.skip's too`, () => {
    const suiteLeak = (suite, what) => new RegExp(`suite "${suite}" left 1 async resource alive after its afterAll hooks:\\s+1\\. ${what}`)
    const reported = (pattern) => (runner === 'vitest' ? pattern.test(run.output) : run.fileErrors.some((error) => pattern.test(error)))
    assert.ok(reported(suiteLeak('server started in a describe callback', 'HTTP server listening on 127\\.0\\.0\\.1:\\d+, created at \\S*describe\\.test\\.js:7:63')), run.output)
    assert.ok(reported(suiteLeak('skipped suite whose callback spawns a process', "child process 'sleep 30' pid \\d+")), run.output)
    assert.doesNotMatch(run.output, /suite "suite whose afterAll closes what its callback started" left/)
    passed(run, 'uses the server of its suite')
    passed(run, 'runs in a clean suite')
    passed(run, 'runs outside the suites')
  })

  // Vitest 3.2 sets a suite's file only once its describe callback has run.
  test(`${runner}: a server that a test in a describe block leaves is held by the file, the outermost scope whose afterAll could close it`, () => {
    failed(run, 'leaves a server in a describe block', /left 1 async resource alive that the afterAll hooks of file \S*describe\.test\.js did not close either \(async-debug waited for them\):\s+1\. HTTP server listening on 127\.0\.0\.1:\d+, created at \S*describe\.test\.js:29:\d+/)
  })

  test(`${runner}: what killing a leaked child makes the test's exit handler throw is not reported again`, () => {
    failed(run, 'leaves a child whose exit handler throws on a signal', new RegExp(String.raw`child process 'sleep 30' pid \d+, created at \S*disposal\.test\.js:6:${importedCallColumn(runner, 17, 'spawn')}`))
    passed(run, 'runs after the child is killed')
    assert.doesNotMatch(run.output, /sleep was killed by SIGKILL/)
    assert.ok(!fileFailed('disposal.test.js'), run.output)
  })

  test(`${runner}: a server a test starts and the file's afterAll closes is no leak, and its close() works`, () => {
    passed(run, 'starts the shared server')
    passed(run, 'uses the shared server')
    assert.doesNotMatch(run.output, /Server is not running/)
    assert.ok(!fileFailed('closed-by-suite.test.js'), run.output)
  })
}
