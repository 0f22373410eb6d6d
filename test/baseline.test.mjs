import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { after, test } from 'node:test'
import { runners, runShared, summaryReporter } from './helpers/runners.mjs'

const work = mkdtempSync(join(tmpdir(), 'async-debug-baseline-'))
after(() => rmSync(work, { recursive: true, force: true }))

// Runs the leaks fixture (four files: Jest runs them in workers) with the baseline at `path`.
function run(runner, path, { update = false, args = [] } = {}) {
  if (update) process.env.ASYNC_DEBUG_BASELINE = 'update'
  try {
    return runShared(runner, 'leaks', { asyncDebug: { baseline: path }, args: { [runner]: [...summaryReporter[runner], ...args] } })
  } finally {
    delete process.env.ASYNC_DEBUG_BASELINE
  }
}
const failedTests = (result) => [...result.tests].filter(([, { status }]) => status === 'failed').map(([title]) => title)

for (const runner of runners) {
  test(`${runner}: a baseline records a leaking suite's findings, then fails only new ones, and reports the ones fixed`, () => {
    const path = join(work, `${runner}.baseline.json`)
    const recording = run(runner, path, { update: true })
    assert.deepEqual(failedTests(recording), [], recording.output)
    assert.equal(recording.exitCode, 0, recording.output)
    assert.match(recording.output, /async-debug: baseline written to \S+: \d+ findings/)
    const baseline = JSON.parse(readFileSync(path, 'utf8'))
    assert.ok(baseline.records.length > 10)
    // What would fail without it, its paths relative to the folder the run ran in: nothing of the update run's own.
    assert.equal(baseline.root, undefined)
    assert.deepEqual([...new Set(baseline.records.map((record) => `${record.outcome} ${record.reason}`))], ['undefined undefined'])
    const paths = baseline.records.flatMap((record) => [record.file, ...record.findings.map(({ site }) => site ?? '')])
    assert.deepEqual(paths.filter(isAbsolute), [], JSON.stringify(baseline, null, 2))
    assert.ok(paths.some((path) => /^\S+\.test\.js:\d+:\d+$/.test(path)), JSON.stringify(baseline, null, 2))
    assert.doesNotMatch(baseline.records.map(({ text }) => text).join('\n'), /created at \//)

    const again = run(runner, path)
    assert.deepEqual(failedTests(again), [], again.output)
    assert.equal(again.exitCode, 0, again.output)
    assert.match(again.output, /async-debug: 0 failed, 0 reported only, \d+ allowed \(\d+ by the baseline\)/)

    // Workers and shards: each file's part of the baseline is read where the file runs.
    for (const shard of ['1/2', '2/2']) {
      const sharded = run(runner, path, { args: [`--shard=${shard}`] })
      assert.deepEqual(failedTests(sharded), [], `${shard}: ${sharded.output}`)
    }

    // A finding the baseline does not list fails; an entry that the run does not find is fixed.
    const timeout = baseline.records.find((record) => record.scope === 'test "leaks a timeout"')
    const edited = { ...baseline, records: baseline.records.filter((record) => record !== timeout).concat({ ...timeout, scope: 'test "was deleted"' }) }
    writeFileSync(path, JSON.stringify(edited))
    const edit = run(runner, path)
    assert.deepEqual(failedTests(edit), ['leaks a timeout'])
    assert.match(edit.tests.get('leaks a timeout').message, /setTimeout of \d+ ms/)
    assert.match(edit.output, /async-debug: fixed since the baseline: 1; run with ASYNC_DEBUG_BASELINE=update to shrink the baseline:\n {2}\S*timers\.test\.js: test "was deleted"\n/)
  })
}
