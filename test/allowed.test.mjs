import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { failed, passed } from './helpers/expect-results.mjs'
import { runShared, runners } from './helpers/runners.mjs'
import { fixtures, vitestBin, vitestMajor } from './helpers/run-vitest.mjs'

for (const runner of runners) {
  const run = runShared(runner, 'allowed', { asyncDebug: { allowTests: [{ name: 'vendor SDK > keeps', reason: 'vendor issue #123' }] } })

  test(`${runner}: a test allowed by name in allowTests passes, and what it leaked is printed with the reason`, () => {
    passed(run, 'keeps a timer running')
    assert.match(run.output, /async-debug: allowed \(vendor issue #123\), not failed: test "vendor SDK > keeps a timer running" left 1 async resource alive when it ended \(after its afterEach hooks\):\s+1\. setInterval every 1000 ms, created at \S*allowed\.test\.js:5:5/)
  })

  test(`${runner}: allowLeaks(reason) inside a test does the same; the tests beside it still fail on their leaks`, () => {
    passed(run, 'allows its own leak')
    assert.match(run.output, /async-debug: allowed \(the poller belongs to the SDK\), not failed: test "allows its own leak" left 1 async resource alive[\s\S]*allowed\.test\.js:10:3/)
    failed(run, 'still fails on its leak', /setInterval every 1000 ms, created at \S*allowed\.test\.js:13:3/)
    failed(run, 'rejects an empty reason', /TypeError: allowLeaks: expected a reason, as a non-empty string/)
  })
}

const reporterArgs = { vitest: ['--reporter=async-debug/vitest/reporter'], jest: ['--reporters=default', '--reporters=async-debug/jest/reporter'] }
for (const runner of runners) {
  const run = runShared(runner, 'allowed', { args: reporterArgs, asyncDebug: { allowTests: [{ name: 'vendor SDK > keeps', reason: 'vendor issue #123' }] } })
  const without = runShared(runner, 'allowed', { files: ['allowed.test.js'] })

  test(`${runner}: the summary reporter ends the run with every leak that was allowed, with its reason`, () => {
    assert.match(run.output, /async-debug: not failed: allowed \(allowTests, allowLeaks\(\), allowPending\(\), ignore\), reported only \(failOn\) or warned of, in 3 places:\n\n\s+\S*allowed\.test\.js: test "vendor SDK > keeps a timer running"\n\s+allowed: vendor issue #123\n\s+1\. setInterval every 1000 ms, created at \S*allowed\.test\.js:5:5/)
    assert.match(run.output, /\S*allowed\.test\.js: test "allows its own leak"\n\s+allowed: the poller belongs to the SDK\n\s+1\. setInterval every 1000 ms, created at \S*allowed\.test\.js:10:3/)
    assert.match(run.output, /\S*allowed\.test\.js: test "keeps a timer it was allowed to keep"\n\s+allowPending\(\): flushes after the test on purpose\n\s+1\. setTimeout of 300 ms, created at \S*allowed\.test\.js:19:16/)
    // The summary adds to the run's results; it changes none of them.
    assert.equal(run.tests.get('still fails on its leak')?.status, 'failed')
    assert.equal(run.tests.get('keeps a timer it was allowed to keep')?.status, 'passed')
    assert.doesNotMatch(without.output, /async-debug: not failed:/)
  })
}

// A JSON reporter with no output file has stdout to itself.
test('vitest: the summary reporter writes to stderr, so that a JSON report on stdout stays JSON', { skip: !runners.includes('vitest') }, () => {
  const root = join(fixtures, 'shared', 'allowed')
  const work = mkdtempSync(join(tmpdir(), 'async-debug-stdout-'))
  try {
    const config = join(work, 'vitest.config.mjs')
    writeFileSync(config, `export default ${JSON.stringify({ root, test: { environment: 'async-debug', globals: true, environmentOptions: { asyncDebug: { allowTests: [{ name: 'vendor SDK > keeps', reason: 'vendor issue #123' }] } } } })}\n`)
    const run = spawnSync(process.execPath, [vitestBin, 'run', '--config', config, '--reporter=json', '--reporter=async-debug/vitest/reporter'], { cwd: root, encoding: 'utf8', env: { ...process.env, CI: 'true', NO_COLOR: '1' } })
    // Vitest 5 writes the JSON to a file even then, and says so on stdout: ours is what must stay off it.
    if (vitestMajor < 5) assert.equal(JSON.parse(run.stdout).numTotalTests > 0, true)
    assert.doesNotMatch(run.stdout, /async-debug:/)
    assert.match(run.stderr, /async-debug: not failed: allowed/)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
})
