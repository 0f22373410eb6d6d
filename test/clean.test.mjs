import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runShared, runners } from './helpers/runners.mjs'

// Patterns that finish their work, or whose leftovers do not hold the process (unref'd), pass.
for (const runner of runners) {
  const run = runShared(runner, 'clean')

  test(`${runner}: every clean pattern passes and the run exits 0`, () => {
    const failed = [...run.tests].filter(([, r]) => r.status !== 'passed')
    assert.deepEqual(failed, [], run.output)
    assert.equal(run.tests.size, 17)
    assert.equal(run.exitCode, 0, run.output)
    assert.equal(run.hung, false, run.output)
  })

  test(`${runner}: stdio written by a test reaches the runner`, () => {
    assert.match(run.output, /hello from a test/)
  })
}
