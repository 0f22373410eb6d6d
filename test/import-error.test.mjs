import assert from 'node:assert/strict'
import { test } from 'node:test'
import { passed } from './helpers/expect-results.mjs'
import { runShared, runners } from './helpers/runners.mjs'

for (const runner of runners) {
  const run = runShared(runner, 'import-error')

  test(`${runner}: a test file that throws at import time fails as the runner reports it, with no error of async-debug's`, () => {
    passed(run, 'runs beside a file that failed to import')
    assert.match(run.output, /import-time failure/)
    assert.doesNotMatch(run.output, /Test Run Error|Cannot read properties|async-debug failed/)
    assert.equal(run.exitCode, 1)
  })
}
