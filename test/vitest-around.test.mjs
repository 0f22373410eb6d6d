import assert from 'node:assert/strict'
import { test } from 'node:test'
import { failed, passed } from './helpers/expect-results.mjs'
import { runVitest, vitestMajor } from './helpers/run-vitest.mjs'

// Vitest only: Jest has no aroundEach or aroundAll, nor has Vitest 3.2.
const skip = vitestMajor < 4 && 'Vitest 3.2 has no aroundEach or aroundAll'
const run = skip ? undefined : runVitest('vitest/around')

test('aroundEach: what its setup creates belongs to the test it wraps, judged after its teardown', { skip }, () => {
  passed(run, 'runs inside a server that its aroundEach closes')
  failed(run, 'runs inside an interval its aroundEach forgets', /test "around each test, left open > runs inside an interval its aroundEach forgets" left 1 async resource alive[\s\S]*setInterval every 1000 ms, created by its aroundEach hook at \S*around\.test\.js:18:5/)
})

test("aroundEach: a test's own leak inside it is the test's, and its neighbour is not blamed", { skip }, () => {
  failed(run, 'leaks inside an aroundEach', /setInterval every 1000 ms, created at \S*around\.test\.js:28:5/)
  passed(run, 'clean inside the same aroundEach')
})

test('aroundAll: what it creates belongs to its suite, judged after its teardown', { skip }, () => {
  passed(run, 'runs inside a server that its aroundAll forgets')
  assert.match(run.output, /suite "around all tests" left 1 async resource alive after its afterAll hooks:\s+1\. HTTP server listening on 127\.0\.0\.1:\d+, created at \S*around\.test\.js:4:60/)
  passed(run, 'runs inside a suite server that is closed')
  assert.doesNotMatch(run.output, /suite "around all tests, cleaned up" left/)
})
