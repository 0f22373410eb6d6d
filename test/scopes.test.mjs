import assert from 'node:assert/strict'
import { test } from 'node:test'
import { processEnds } from './helpers/process-ended.mjs'
import { importedCallColumn, runShared, runners } from './helpers/runners.mjs'

for (const runner of runners) {
  const run = runShared(runner, 'scopes')
  const status = (title) => run.tests.get(title)?.status

  test(`${runner}: a beforeAll leak fails its suite, naming it, and no test of it`, () => {
    // Vitest fails the suite itself; Jest has no suite results and fails the file.
    if (runner === 'vitest') assert.match(run.output, /FAIL {2}suite\.test\.js > database suite\nAsyncLeakError: suite "database suite" left 1 async resource alive after its afterAll hooks:/)
    else assert.ok(run.fileErrors.some((m) => m.startsWith('suite "database suite" left 1 async resource alive after its afterAll hooks:')), run.output)
    assert.match(run.output, /HTTP server listening on 127\.0\.0\.1:\d+, created at \S*suite\.test\.js:7:43/)
    for (const title of ['first user of the server', 'second user of the server', 'inside the nested suite', 'uses the clean suite server', 'outside the suites'])
      assert.equal(status(title), 'passed', title)
    assert.doesNotMatch(run.output, /suite "(database suite > nested clean suite|suite that cleans up)" left/)
  })

  test(`${runner}: an import-time leak fails the file, not its tests`, () => {
    const error = run.fileErrors.find((m) => m.startsWith('file module-level.test.js left 1 async resource alive at the end of the file'))
    assert.ok(error, run.fileErrors.join('\n'))
    assert.match(error, /setInterval every 1000 ms, created at \S*module-level\.test\.js:2:16/)
    assert.equal(status('runs beside a module-level interval'), 'passed')
    assert.equal(status('also runs beside it'), 'passed')
  })

  test(`${runner}: a top-level beforeAll leak fails the file`, () => {
    assert.ok(run.fileErrors.some((m) => /^file top-level-hook\.test\.js left 1[\s\S]*TCP server listening on 127\.0\.0\.1:\d+, created at \S*top-level-hook\.test\.js:6:41/.test(m)))
    assert.equal(status('runs beside a top-level beforeAll server'), 'passed')
  })

  test(`${runner}: beforeEach and afterEach belong to the test they wrap, and a leak of theirs names the hook`, () => {
    assert.equal(status('beforeEach timer cleared by afterEach'), 'passed')
    const { status: s, message } = run.tests.get('only test under a leaky afterEach')
    assert.equal(s, 'failed')
    assert.match(message, /test "afterEach that leaks > only test under a leaky afterEach" left 1 async resource[\s\S]*setInterval every 1000 ms, created by its afterEach hook at \S*hooks\.test\.js:13:5/)
  })

  test(`${runner}: test.concurrent: the leak is charged to the test whose continuation created it`, () => {
    assert.equal(status('concurrent leaker'), 'failed')
    assert.match(run.tests.get('concurrent leaker').message, /setInterval every 1000 ms, created at \S*concurrent\.test\.js:3:3/)
    assert.equal(status('concurrent clean'), 'passed')
    assert.equal(status('concurrent clean too'), 'passed')
  })

  test(`${runner}: the run ends on its own`, () => {
    assert.equal(run.timedOut, false)
    assert.equal(run.hung, false, run.output)
    assert.equal(run.exitCode, 1)
  })
}

// A fixture of its own: the scopes fixture has one leak of each level, which the reporters' tests count.
for (const runner of runners) {
  const later = runShared(runner, 'file-scope')

  test(`${runner}: what the file's top-level code schedules for later (a tick, listen on a host) fails the file, and the run ends`, () => {
    const error = later.fileErrors.find((m) => m.startsWith('file scheduled-at-import.test.js left 2 async resources alive at the end of the file'))
    assert.ok(error, later.fileErrors.join('\n'))
    assert.match(error, /setInterval every 1000 ms, created at \S*scheduled-at-import\.test\.js:7:3/)
    assert.match(error, /HTTP server listening on 127\.0\.0\.1:\d+, created at \S*scheduled-at-import\.test\.js:5:16/)
    assert.equal(later.tests.get('runs beside work scheduled at import')?.status, 'passed')
  })

  test(`${runner}: a file whose tests are all skipped still fails for what its describe.skip callback started, which is ended`, async () => {
    assert.ok(later.fileErrors.some((m) => new RegExp(String.raw`^suite "skipped suite that starts a process" left 1 async resource[\s\S]*child process '\S+ -e setInterval\(\(\) => \{\}, 1000\)' pid \d+, created at \S*all-skipped\.test\.js:5:${importedCallColumn(runner, 17, 'spawn')}`).test(m)), later.fileErrors.join('\n'))
    assert.equal(later.tests.get('never runs')?.status, runner === 'vitest' ? 'skipped' : 'pending')
    const pid = Number(/pid (\d+), created at \S*all-skipped/.exec(later.fileErrors.join('\n'))?.[1])
    assert.ok(pid > 0, later.fileErrors.join('\n'))
    assert.ok(await processEnds(pid), `the child ${pid} outlived the run`)
  })

  test(`${runner}: the file-scope run ends on its own`, () => {
    assert.equal(later.timedOut, false)
    assert.equal(later.hung, false, later.output)
  })
}
