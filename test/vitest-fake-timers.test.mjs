import assert from 'node:assert/strict'
import { test } from 'node:test'
import { failed, passed } from './helpers/expect-results.mjs'
import { runVitest } from './helpers/run-vitest.mjs'

test('fake timers left installed (they fake setImmediate, setTimeout and performance) do not make the run hang', () => {
  const run = runVitest('fake-timers', { timeout: 20_000 })
  assert.equal(run.timedOut, false, run.output)
  passed(run, 'leaves fake timers installed')
  failed(run, 'leaks a real interval under fake timers', /setInterval every 1000 ms, created at \S*left-installed\.test\.js:8:16/)
  passed(run, 'runs after them')
})
