import assert from 'node:assert/strict'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { failed, passed } from './helpers/expect-results.mjs'
import { runShared, runners, withEnv } from './helpers/runners.mjs'
import { fixtures } from './helpers/run-vitest.mjs'

const reporter = { vitest: ['--reporter=default', '--reporter=async-debug/vitest/reporter'], jest: ['--reporters=default', '--reporters=async-debug/jest/reporter'] }

for (const runner of runners) {
  const report = join(fixtures, 'shared', 'interference', `interference-${runner}.json`)
  const run = withEnv({ ASYNC_DEBUG_REPORT: report }, () => runShared(runner, 'interference', { args: reporter }))
  const json = JSON.parse(readFileSync(report, 'utf8'))
  rmSync(report)

  test(`${runner}: a test that fails is told which ended test's code ran while it ran, and where that code was made`, () => {
    failed(run, 'reads the cache', /expected 'stale' to be 'fresh'|Expected: "fresh"/)
    failed(run, 'reads the cache', /AsyncInterference: code of test "warms the cache" ran while this test ran, which had ended \d+ ms before it started:\n\s+1\. \d+ callbacks? of setInterval every 5 ms, created at \S*interference\.test\.js:6:\d+\n[\s\S]*Hint: if this test fails only after that one/)
    failed(run, 'reads during the refresh', /AsyncInterference: code of test "starts a refresh" ran while this test ran, which had ended \d+ ms before it started:\n\s+1\. its async functions went on, at \S*interference\.test\.js:25:\d+/)
  })

  test(`${runner}: the note is added only to a failure, and only where such code ran`, () => {
    passed(run, 'passes while it polls')
    failed(run, 'fails on its own', /Expected|expected/)
    assert.doesNotMatch(run.tests.get('fails on its own').message, /AsyncInterference/)
    assert.equal(run.tests.get('warms the cache')?.status, 'passed')
    assert.equal(run.tests.get('starts a refresh')?.status, 'passed')
  })

  test(`${runner}: the JSON report has the note, as a record of the failed test that fails nothing`, () => {
    const notes = json.records.filter((record) => record.kind === 'interference')
    assert.deepEqual(
      notes.map(({ scope, scopeKind, outcome, reason, findings }) => ({ scope, scopeKind, outcome, reason, types: findings.map((finding) => finding.type) })),
      [
        { scope: 'test "reads the cache"', scopeKind: 'test', outcome: 'noted', reason: 'code of test "warms the cache" ran while it ran', types: ['interval'] },
        { scope: 'test "reads during the refresh"', scopeKind: 'test', outcome: 'noted', reason: 'code of test "starts a refresh" ran while it ran', types: ['promise'] },
      ],
    )
    assert.match(notes[0].findings[0].site, /interference\.test\.js:6:\d+$/)
    assert.match(run.output, /async-debug: 0 failed, 0 reported only, 2 allowed/)
  })
}
