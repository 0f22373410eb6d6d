import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { onlyFor } from './helpers/runners.mjs'
import { fixtures, runVitest } from './helpers/run-vitest.mjs'

// What did not fail a test is noted on it as a Vitest test annotation, at the line that made it:
// the verbose, JUnit and github-actions reporters show it.
const work = mkdtempSync(join(tmpdir(), 'async-debug-annotations-'))
after(() => rmSync(work, { recursive: true, force: true }))

// `fixture`: a folder under test/fixtures/shared, or a path under test/fixtures.
function run(fixture, files, asyncDebug) {
  const junit = join(work, `${fixture.replace(/\//g, '-')}.xml`)
  process.env.GITHUB_ACTIONS = 'true'
  try {
    const result = runVitest(fixture, {
      files,
      test: { environmentOptions: { asyncDebug } },
      args: ['--reporter=verbose', '--reporter=github-actions', '--reporter=junit', `--outputFile.junit=${junit}`, '--reporter=async-debug/vitest/reporter'],
    })
    return { ...result, junit: readFileSync(junit, 'utf8') }
  } finally {
    delete process.env.GITHUB_ACTIONS
  }
}

test('vitest: a leak reported only (failOn) is an annotation of its test at its creation line, once on GitHub Actions', onlyFor('vitest'), () => {
  const reported = run('leaks', ['timers.test.js'], { failOn: [] })
  assert.equal(reported.tests.get('leaks an interval').status, 'passed')
  const message = 'async-debug: setInterval every 1000 ms (reported only: failOn leaves out leaks)'
  // github-actions: one warning, Vitest's; the summary reporter leaves it to Vitest's reporter.
  const warnings = reported.output.match(/^::warning .*setInterval every 1000 ms.*$/gm) ?? []
  assert.deepEqual(warnings, [`::warning file=${join(fixtures, 'shared', 'leaks', 'timers.test.js')},line=5,column=3::${message}`], reported.output)
  // verbose: under the test, at its line.
  assert.match(reported.output, new RegExp(`✓ timers\\.test\\.js > leaks an interval.*\\n\\n\\s+❯ timers\\.test\\.js:5:3 warning\\n\\s+↳ ${message.replace(/[()]/g, '\\$&')}`))
  // JUnit: a property of the test case.
  assert.match(reported.junit, /<testcase classname="timers\.test\.js" name="leaks an interval"[\s\S]*?<property name="warning" value="async-debug: setInterval every 1000 ms \(reported only: failOn leaves out leaks\)">/)
})

test('vitest: a slow callback is an annotation of its test at the line of its timer', onlyFor('vitest'), () => {
  const slow = run('diagnostics', ['slow.test.js'], { slowCallbackMs: 100 })
  assert.match(slow.junit, /<testcase classname="slow\.test\.js" name="blocks the loop in a timer callback"[\s\S]*?<property name="warning" value="async-debug: a setTimeout callback blocked the event loop for \d{3,} ms \(slowCallbackMs: 100\) \(reported only: failOn leaves out slow-callbacks\)">/)
  assert.match(slow.output, /^::warning file=[^,]*slow\.test\.js,line=7,column=\d+::async-debug: a setTimeout callback blocked the event loop/m)
})

test('vitest: findings alike, two timers of one line, are one annotation, counted', onlyFor('vitest'), () => {
  const alike = run('vitest/annotations', ['alike.test.js'], { failOn: [] })
  const warnings = alike.output.match(/^::warning .*$/gm) ?? []
  assert.deepEqual(warnings, [`::warning file=${join(fixtures, 'vitest', 'annotations', 'alike.test.js')},line=4,column=31::async-debug: 2 × setTimeout of 5000 ms (reported only: failOn leaves out leaks)`], alike.output)
})
