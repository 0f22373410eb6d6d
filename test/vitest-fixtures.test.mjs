import assert from 'node:assert/strict'
import { test } from 'node:test'
import { failed, passed } from './helpers/expect-results.mjs'
import { runVitest, vitestMajor } from './helpers/run-vitest.mjs'

// test.extend fixtures: a test-scoped one belongs to its test; one of scope file or worker to itself.
const run = runVitest('vitest/fixtures')

test('a file fixture that leaves its server open fails the file, naming the fixture, and none of its users', () => {
  const error = run.fileErrors.find((m) => m.startsWith('fixture "server" (scope: file) left 1 async resource alive after its teardown:'))
  assert.ok(error, run.output)
  assert.match(error, /HTTP server listening on 127\.0\.0\.1:\d+, created at \S*file-fixture\.test\.js:8:45/)
  passed(run, 'first user of the file server')
  passed(run, 'second user of the file server')
})

test('an auto file fixture is judged the same way', () => {
  assert.ok(run.fileErrors.some((m) => /^fixture "auto" \(scope: file\) left 1[\s\S]*setInterval every 2000 ms, created at \S*test-fixture\.test\.js:11:7/.test(m)), run.output)
  passed(run, 'does not use it')
})

test('a test fixture that does not release its interval at teardown fails its test', () => {
  failed(run, 'uses a per-test fixture that leaks', /test "uses a per-test fixture that leaks" left 1 async resource[\s\S]*setInterval every 1000 ms, created at \S*test-fixture\.test\.js:5:20/)
})

test('worker and file fixtures released at teardown, and per-test fixtures that close their server, are clean', () => {
  passed(run, 'uses the worker ticker')
  passed(run, 'uses a per-test server')
  passed(run, 'uses a per-test server again')
  assert.doesNotMatch(run.output, /fixture "(ticker|db|perTest)"/)
})

test('a worker fixture is judged when the worker ends; Vitest gives no result to fail then, so it is printed', () => {
  passed(run, 'uses the worker poller')
  // Vitest 3.2 tears worker fixtures down after the environment: they are not judged there.
  if (vitestMajor === 3) return assert.doesNotMatch(run.output, /fixture "poller"/)
  assert.match(run.output, /async-debug: AsyncLeakError: fixture "poller" \(scope: worker\) left 1 async resource alive after its teardown:\s+1\. setInterval every 3000 ms, created at \S*worker-fixture\.test\.js:6:22/)
})
