import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runShared, runners, summaryReporter } from './helpers/runners.mjs'

// Patterns that finish their work, or whose leftovers do not hold the process (unref'd), pass.
for (const runner of runners) {
  const run = runShared(runner, 'clean', { args: summaryReporter })

  test(`${runner}: every clean pattern passes and the run exits 0, async-debug having checked it`, () => {
    const failed = [...run.tests].filter(([, r]) => r.status !== 'passed')
    assert.deepEqual(failed, [], run.output)
    assert.equal(run.tests.size, 17)
    assert.equal(run.exitCode, 0, run.output)
    assert.equal(run.hung, false, run.output)
    assert.match(run.output, /^async-debug: nothing found$/m)
  })

  test(`${runner}: stdio written by a test reaches the runner`, () => {
    assert.match(run.output, /hello from a test/)
  })
}
