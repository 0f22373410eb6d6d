import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { onlyFor, runners, runShared, summaryReporter, withEnv } from './helpers/runners.mjs'
import { runJest } from './helpers/run-jest.mjs'
import { runVitest } from './helpers/run-vitest.mjs'

const work = mkdtempSync(join(tmpdir(), 'async-debug-json-report-'))
after(() => rmSync(work, { recursive: true, force: true }))

// Runs with the JSON report written to `outputFile`.
const reportOf = (file) => JSON.parse(readFileSync(file, 'utf8'))
const reportWith = (outputFile, run) => withEnv({ ASYNC_DEBUG_REPORT: outputFile }, run)

// The shape README's "In CI" documents: every record has these fields, of these types.
function assertRecord(record) {
  assert.deepEqual(Object.keys(record).filter((key) => key !== 'reason').sort(), ['file', 'findings', 'kind', 'outcome', 'scope', 'scopeKind', 'text'])
  // The scope's kind agrees with its title.
  assert.ok(['worker', 'file', 'suite', 'test', 'fixture'].includes(record.scopeKind))
  assert.ok(record.scope.startsWith(record.scopeKind === 'file' ? 'file ' : `${record.scopeKind} "`), `${record.scopeKind}: ${record.scope}`)
  assert.ok(['failed', 'reported', 'allowed'].includes(record.outcome))
  assert.ok(['leaks', 'promises', 'rejections', 'assertions', 'warnings', 'fake-timers', 'slow-callbacks'].includes(record.kind))
  for (const finding of record.findings) {
    assert.equal(typeof finding.type, 'string')
    assert.equal(typeof finding.description, 'string')
    if (finding.site !== undefined) assert.match(finding.site, /:\d+:\d+$/)
  }
  if (record.outcome !== 'failed') assert.equal(typeof record.reason, 'string')
}

for (const runner of runners) {
  test(`${runner}: the summary reporter writes every finding, test-, suite- and file-level, to ASYNC_DEBUG_REPORT as JSON, and counts them`, () => {
    const outputFile = join(work, `${runner}.json`)
    const run = reportWith(outputFile, () => runShared(runner, 'scopes', { args: summaryReporter }))
    const report = reportOf(outputFile)
    assert.equal(report.asyncDebug, 1)
    assert.equal(typeof report.root, 'string')
    for (const record of report.records) assertRecord(record)
    const scopes = report.records.map((record) => record.scope)
    assert.ok(scopes.some((scope) => /^test "/.test(scope)), scopes.join('\n'))
    assert.ok(scopes.some((scope) => /^suite "/.test(scope)), scopes.join('\n'))
    assert.ok(scopes.some((scope) => /^file /.test(scope)), scopes.join('\n'))
    assert.deepEqual(new Set(report.records.map((record) => record.scopeKind)), new Set(['test', 'suite', 'file']))
    const leak = report.records.find((record) => record.file.endsWith('module-level.test.js'))
    assert.deepEqual(leak.findings, [{ type: 'interval', description: 'setInterval every 1000 ms', site: leak.findings[0].site }])
    assert.match(leak.findings[0].site, /module-level\.test\.js:2:16$/)
    const failed = report.records.filter((record) => record.outcome === 'failed').reduce((n, record) => n + record.findings.length, 0)
    assert.match(run.output, new RegExp(`async-debug: ${failed} findings failed 2 tests, 1 describe block, 2 files \\(leaks ${failed}\\), 0 reported only, 0 allowed; most in `))
  })
}

// Jest's github-actions reporter annotates failed tests, Vitest's tests, suites and files: ours adds
// what they leave out, at the line that made it, and what did not fail as warnings.
for (const runner of runners) {
  test(`${runner}: on GitHub Actions the summary reporter annotates what the runner's reporter does not, at the creation line`, () => {
    process.env.GITHUB_ACTIONS = 'true'
    let run, reported
    try {
      run = runShared(runner, 'scopes', { args: summaryReporter })
      reported = runShared(runner, 'leaks', { files: ['timers.test.js'], asyncDebug: { failOn: [] }, args: summaryReporter })
    } finally {
      delete process.env.GITHUB_ACTIONS
    }
    const errors = run.output.match(/^::error .*$/gm) ?? []
    if (runner === 'jest') {
      assert.ok(errors.some((line) => /^::error file=\/[^,]*\/module-level\.test\.js,line=2,col=16,title=async-debug%3A leaks::file module-level\.test\.js: setInterval every 1000 ms$/.test(line)), errors.join('\n'))
      assert.ok(errors.some((line) => /::suite "database suite": /.test(line)), errors.join('\n'))
      assert.ok(!errors.some((line) => /::test "/.test(line)), 'a failed test is annotated by Jest')
    } else assert.deepEqual(errors, [], 'Vitest annotates every failure itself')
    assert.match(reported.output, /^::warning file=\/[^,]*\/timers\.test\.js,line=\d+,col=\d+,title=async-debug%3A leaks%2C reported::test "leaks a timeout": setTimeout of \d+ ms \(reported only: failOn leaves out leaks\)$/m)
  })
}

for (const runner of runners) {
  test(`${runner}: slow callbacks are records too, reported only, with their duration and the line of their timer`, () => {
    const outputFile = join(work, `${runner}-slow.json`)
    reportWith(outputFile, () => runShared(runner, 'diagnostics', { files: ['slow.test.js'], asyncDebug: { slowCallbackMs: 100 }, args: summaryReporter }))
    const slow = reportOf(outputFile).records.filter((record) => record.kind === 'slow-callbacks')
    for (const record of slow) assertRecord(record)
    const timer = slow.find((record) => record.scope === 'test "blocks the loop in a timer callback"')
    assert.equal(timer?.outcome, 'reported', JSON.stringify(slow, null, 2))
    assert.match(timer.findings[0].description, /^a setTimeout callback blocked the event loop for \d{3,} ms \(slowCallbackMs: 100\)$/)
    assert.match(timer.findings[0].site, /slow\.test\.js:7:\d+$/)
    assert.ok(slow.some((record) => record.scope === 'test "blocks the loop in its own body"'))
    assert.ok(!slow.some((record) => record.scope === 'test "blocks briefly"'))
  })
}

// A throw from a test's timer fails that test, reported by Jest itself while the test is open, and
// afterwards, once the test's result was sent: the JSON report has both.
for (const runner of runners) {
  test(`${runner}: a mistake that fails its test after its result was sent, or that the runner reports itself, is in the JSON report`, () => {
    const outputFile = join(work, `${runner}-late.json`)
    reportWith(outputFile, () => runShared(runner, 'mistakes', { files: ['late-throw.test.js'], args: summaryReporter }))
    const records = reportOf(outputFile).records
    for (const record of records) assertRecord(record)
    const late = records.find((record) => record.scope === 'test "schedules a late throw"')
    assert.equal(late?.outcome, 'failed', JSON.stringify(records, null, 2))
    assert.equal(late.kind, 'rejections')
    assert.match(late.findings[0].description, /a callback that test "schedules a late throw" scheduled threw/)
    // Thrown while another test runs, after its own test was judged and passed.
    const later = records.find((record) => record.scope === 'test "schedules an unref’d throw"')
    assert.equal(later?.outcome, 'failed', JSON.stringify(records, null, 2))
    assert.match(later.findings[0].description, /scheduled threw: Error: thrown while another test runs/)
  })
}

// Sharded runs: each shard's report holds its files' records, and together they are the whole run's.
const key = (record) => `${record.file} ${record.scope} ${record.kind} ${record.outcome} ${record.findings.map((f) => `${f.type} ${f.site}`).join()}`

for (const runner of runners) {
  test(`${runner}: the reports of two shards, their records put together, are the report of the whole run`, () => {
    const whole = join(work, `${runner}-whole.json`)
    reportWith(whole, () => runShared(runner, 'scopes', { args: summaryReporter }))
    const shards = ['1/2', '2/2'].map((shard, i) => {
      const file = join(work, `${runner}-shard-${i + 1}.json`)
      reportWith(file, () => runShared(runner, 'scopes', { args: { [runner]: [`--shard=${shard}`, ...summaryReporter[runner]] } }))
      return reportOf(file).records
    })
    assert.ok(shards.every((records) => records.length > 0), 'each shard has findings of its own')
    assert.deepEqual(shards.flat().map(key).sort(), reportOf(whole).records.map(key).sort())
  })
}

test("vitest: with --merge-reports, the summary reporter writes one report of every shard's records", onlyFor('vitest'), () => {
  const blobs = mkdtempSync(join(work, 'blobs-'))
  for (const [i, shard] of ['1/2', '2/2'].entries()) runVitest('scopes', { args: [`--shard=${shard}`, '--reporter=blob', `--outputFile.blob=${join(blobs, `blob-${i + 1}.json`)}`] })
  const merged = join(work, 'vitest-merged.json')
  const run = reportWith(merged, () => runVitest('scopes', { args: [`--merge-reports=${blobs}`, '--reporter=async-debug/vitest/reporter'] }))
  const whole = join(work, 'vitest-whole-for-merge.json')
  reportWith(whole, () => runShared('vitest', 'scopes', { args: summaryReporter }))
  assert.deepEqual(reportOf(merged).records.map(key).sort(), reportOf(whole).records.map(key).sort(), run.output)
  assert.match(run.output, /async-debug: 5 findings failed 2 tests, 1 describe block, 2 files \(leaks 5\)/)
})

test("jest: a run that ends before the summary reporter reads the workers' records leaves none of its directories behind", onlyFor('jest'), () => {
  const temp = mkdtempSync(join(work, 'tmp-'))
  // The second reporter's bad option stops the run after the first made its directory; the second makes none.
  const reporter = 'async-debug/jest/reporter'
  const run = runJest('jest/commonjs', { config: { reporters: ['default', [reporter, { trace: 'trace.json' }], [reporter, { nope: 1 }]] }, env: { TMPDIR: temp } })
  assert.match(run.output, /unknown option `nope`/)
  assert.deepEqual(readdirSync(temp).filter((name) => name.startsWith('async-debug-')), [])
})
