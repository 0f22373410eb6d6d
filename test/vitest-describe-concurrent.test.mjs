import assert from 'node:assert/strict'
import { test } from 'node:test'
import { failed, passed } from './helpers/expect-results.mjs'
import { runVitest } from './helpers/run-vitest.mjs'

// Vitest only: Jest has no describe.concurrent.
const run = runVitest('vitest/concurrent')

test('describe.concurrent: a leak is charged to the test whose continuation created it, not to the tests running beside it', () => {
  failed(run, 'leaks after the others started', /left 1 async resource alive[\s\S]*setInterval every 1000 ms, created at \S*describe-concurrent\.test\.js:16:5/)
  passed(run, 'clean while the leaker runs')
  passed(run, 'also clean')
})

test("describe.concurrent: each test's beforeEach run is its own, and the suite's beforeAll interval, cleared in afterAll, blames nobody", () => {
  assert.doesNotMatch(run.output, /setTimeout of 5000 ms/)
  assert.doesNotMatch(run.output, /suite "concurrent suite" left/)
  assert.equal(run.fileErrors.length, 0, run.fileErrors.join('\n'))
})
