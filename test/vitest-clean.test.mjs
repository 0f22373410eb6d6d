import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runVitest } from './helpers/run-vitest.mjs'

// Patterns that finish their work, or whose leftovers do not hold the process (unref'd), pass.
const run = runVitest('clean')

test('every clean pattern passes and the run exits 0', () => {
  const failed = [...run.tests].filter(([, r]) => r.status !== 'passed')
  assert.deepEqual(failed, [], run.output)
  assert.equal(run.tests.size, 14)
  assert.equal(run.exitCode, 0, run.output)
})

test('stdio written by a test reaches the runner', () => {
  assert.match(run.output, /hello from a test/)
})
