import assert from 'node:assert/strict'
import { test } from 'node:test'
import { passed } from './helpers/expect-results.mjs'
import { runShared, runners, summaryReporter } from './helpers/runners.mjs'

// A suite in the shape of a web framework's, which has no leak: nothing may fail, nothing be said.
for (const runner of runners) {
  const run = runShared(runner, 'web', { args: summaryReporter })

  test(`${runner}: a web framework's suite (a server in beforeAll, fetch with keep-alive, Request and Response bodies, Web Streams) passes, with nothing reported`, () => {
    assert.equal(run.tests.size, 6)
    for (const title of run.tests.keys()) passed(run, title)
    assert.equal(run.exitCode, 0, run.output)
    // The summary reporter says it checked the run, and nothing else of async-debug's is printed.
    assert.deepEqual(run.output.match(/async-debug:.*/g), ['async-debug: nothing found'], run.output)
    assert.doesNotMatch(run.output, /AsyncLeakError|AsyncTaskError/)
  })
}
