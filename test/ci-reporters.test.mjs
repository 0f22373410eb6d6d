// What CI sees of a failure of async-debug's: the runners' own JSON, JUnit and GitHub Actions
// reporters (and jest-junit), for a leak of a test, of a describe block and of a file, each with
// what leaked, at the line that created it, and nothing of async-debug's internal state.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { runShared, runners } from './helpers/runners.mjs'

const work = mkdtempSync(join(tmpdir(), 'async-debug-ci-reporters-'))
after(() => rmSync(work, { recursive: true, force: true }))

// test/fixtures/shared/scopes: a leak of each level, in a file of its own.
const levels = {
  test: { file: 'concurrent.test.js', what: /setInterval every 1000 ms/, line: 3, site: 'concurrent.test.js:3:3' },
  suite: { file: 'suite.test.js', what: /HTTP server listening on 127\.0\.0\.1:\d+/, line: 7, site: 'suite.test.js:7:43' },
  file: { file: 'module-level.test.js', what: /setInterval every 1000 ms/, line: 2, site: 'module-level.test.js:2:16' },
}
const MAX_BYTES = 2048

/**
 * A failure as a reporter shows it: it names what leaked and its creation line, and carries no
 * internal state (what was found, serialized) and no escaped JSON. Its size is counted without the
 * folder of the fixtures, which differs between checkouts.
 */
function assertShows(text, level, where, { located = true } = {}) {
  const { what, site } = levels[level]
  assert.equal(typeof text, 'string', `${where}: no failure`)
  assert.match(text, what, `${where}: does not say what leaked\n${text}`)
  if (located) assert.ok(text.includes(site), `${where}: does not name ${site}\n${text}`)
  assert.doesNotMatch(text, /\bfindings\b|\btracked\b|Serialized Error|\{\s*"\w+"\s*:|\\"|\\n/, `${where}: internal state or escaped JSON\n${text}`)
  const bytes = Buffer.byteLength(text.replace(/\/\S*\/(?=[\w.-]+\.test\.js)/g, ''))
  assert.ok(bytes < MAX_BYTES, `${where}: ${bytes} bytes\n${text}`)
}

const xmlText = (text) => text.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
const attributes = (source = '') => Object.fromEntries([...source.matchAll(/([\w-]+)="([^"]*)"/g)].map(([, key, value]) => [key, xmlText(value)]))

/** A JUnit report's test suites, by name, each with its test cases and their failures. */
function junit(xml) {
  const suites = new Map()
  for (const [, suite, body] of xml.matchAll(/<testsuite ([^>]*)>([\s\S]*?)<\/testsuite>/g)) {
    const cases = [...body.matchAll(/<testcase ([^>]*)>([\s\S]*?)<\/testcase>/g)].map(([, attrs, inner]) => ({
      ...attributes(attrs),
      failures: [...inner.matchAll(/<failure(?: ([^>]*))?>([\s\S]*?)<\/failure>/g)].map(([, failure, text]) => ({ ...attributes(failure), text: xmlText(text) })),
    }))
    suites.set(attributes(suite).name, cases)
  }
  return suites
}

// Workflow commands escape %, CR and LF, and in properties : and , too.
const unescape = (text) => text.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%')

/** GitHub Actions workflow commands (`::error file=…,line=…::message`), unescaped. */
function annotations(output) {
  return [...output.matchAll(/^::(error|warning|notice) (.*?)::(.*)$/gm)].map(([, command, props, message]) => ({
    command,
    ...Object.fromEntries(props.split(',').map((prop) => [prop.slice(0, prop.indexOf('=')), unescape(prop.slice(prop.indexOf('=') + 1))])),
    message: unescape(message),
  }))
}

// A run of `files` of a shared fixture, with the runner's own reporters, jest-junit and the summary reporter, as on GitHub Actions.
function runWithReporters(runner, fixture, files) {
  const junitFile = join(work, `${runner}-${fixture}-junit.xml`)
  const reportFile = join(work, `${runner}-${fixture}-async-debug.json`)
  const env = {
    GITHUB_ACTIONS: 'true',
    // Vitest's github-actions reporter appends a job summary to this file: not the real job's.
    GITHUB_STEP_SUMMARY: '',
    ASYNC_DEBUG_REPORT: reportFile,
    JEST_JUNIT_OUTPUT_DIR: work,
    JEST_JUNIT_OUTPUT_NAME: basename(junitFile),
    // Test suites named by their file, as Vitest's JUnit reporter names them.
    JEST_JUNIT_SUITE_NAME: '{filename}',
  }
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]))
  Object.assign(process.env, env)
  try {
    const args = {
      vitest: ['--reporter=junit', `--outputFile.junit=${junitFile}`, '--reporter=github-actions', '--reporter=async-debug/vitest/reporter'],
      jest: ['--reporters=default', '--reporters=github-actions', '--reporters=jest-junit', '--reporters=async-debug/jest/reporter'],
    }
    const run = runShared(runner, fixture, { files, args })
    return { ...run, junit: junit(readFileSync(junitFile, 'utf8')), annotations: annotations(run.output), records: JSON.parse(readFileSync(reportFile, 'utf8')).records }
  } finally {
    for (const [key, value] of Object.entries(saved)) value === undefined ? delete process.env[key] : (process.env[key] = value)
  }
}

for (const runner of runners) {
  describe(`${runner}'s reporters`, () => {
    let run
    before(() => {
      run = runWithReporters(runner, 'scopes', Object.values(levels).map(({ file }) => file))
      assert.equal(run.exitCode, 1, run.output)
    })
    const fileResult = (level) => run.report.testResults.find((result) => basename(result.name) === levels[level].file)

    // --- The JSON report: Vitest's json reporter, Jest's --json.

    test(`${runner}: JSON report: a test's leak is that test's failure`, () => {
      const result = fileResult('test').assertionResults.find((a) => a.title === 'concurrent leaker')
      assert.equal(result.status, 'failed')
      assert.equal(result.failureMessages.length, 1)
      assertShows(result.failureMessages[0], 'test', 'failureMessages')
      // Jest adds the error's own properties: its name, nothing of what was found.
      if (runner === 'jest') assert.deepEqual(result.failureDetails, [{ name: 'AsyncLeakError' }])
    })

    test(`${runner}: JSON report: a describe block's leak fails its file, and none of its tests`, () => {
      const result = fileResult('suite')
      assert.equal(result.status, 'failed')
      for (const a of result.assertionResults) assert.equal(a.status, 'passed', a.title)
      if (runner === 'jest') {
        assert.match(result.message, /● Test suite failed to run\s+AsyncLeakError: suite "database suite" left 1 async resource alive after its afterAll hooks:/)
        assertShows(result.message, 'suite', 'message')
      } else {
        // Vitest's json reporter keeps the errors of tests and files only (README, "In CI"): the
        // describe block's failure is its file's status; async-debug's JSON report has the rest.
        assert.equal(result.message, '')
        const record = run.records.find((r) => r.scope === 'suite "database suite"')
        assert.equal(record?.outcome, 'failed', JSON.stringify(run.records, null, 2))
        assert.match(record.findings[0].description, levels.suite.what)
        assert.ok(record.findings[0].site.endsWith(levels.suite.site), record.findings[0].site)
      }
    })

    test(`${runner}: JSON report: a file's leak is its file's message, and none of its tests'`, () => {
      const result = fileResult('file')
      assert.equal(result.status, 'failed')
      for (const a of result.assertionResults) assert.equal(a.status, 'passed', a.title)
      if (runner === 'jest') assert.match(result.message, /● Test suite failed to run\s+AsyncLeakError: file module-level\.test\.js left 1 async resource/)
      else assert.match(result.message, /^file module-level\.test\.js left 1 async resource/)
      assertShows(result.message, 'file', 'message')
    })

    // --- JUnit: Vitest's junit reporter, jest-junit.

    // The test cases of `level`'s file that failed, each with its failures.
    const failedCases = (level) => {
      const cases = run.junit.get(levels[level].file)
      assert.ok(cases, `no test suite ${levels[level].file} in ${[...run.junit.keys()].join(', ')}`)
      return cases.filter((c) => c.failures.length > 0)
    }

    test(`${runner}: JUnit: a test's leak is that test case's failure`, () => {
      const [failed, ...more] = failedCases('test')
      assert.deepEqual(more, [])
      assert.equal(failed.name.trim(), 'concurrent leaker')
      assert.equal(failed.failures.length, 1)
      assertShows(failed.failures[0].text, 'test', 'failure')
      if (runner === 'vitest') {
        assert.equal(failed.failures[0].type, 'AsyncLeakError')
        assertShows(failed.failures[0].message, 'test', 'failure message')
      }
    })

    for (const level of ['suite', 'file']) {
      const name = level === 'suite' ? 'database suite' : 'module-level.test.js'
      test(`${runner}: JUnit: a ${level === 'suite' ? 'describe block' : 'file'}'s leak is one failure of its file, and none of its tests'`, () => {
        const [failed, ...more] = failedCases(level)
        assert.deepEqual(more, [])
        assert.equal(failed.failures.length, 1)
        const [failure] = failed.failures
        if (runner === 'vitest') {
          // A test case named after the describe block or the file.
          assert.equal(failed.name, name)
          assert.equal(failure.type, 'AsyncLeakError')
          assertShows(failure.message, level, 'failure message')
          assertShows(failure.text, level, 'failure')
        } else {
          // jest-junit writes any error of a file's, an afterAll hook's too, as a test case of its
          // own, whose failure is the JSON of Jest's testExecError: an empty message, and the
          // stack, which is async-debug's message and the frames of the creation line.
          assert.match(failed.name, /Test execution failure/)
          const error = JSON.parse(failure.text)
          assert.deepEqual(Object.keys(error).sort(), ['message', 'stack'])
          assert.equal(error.message, '')
          assert.ok(error.stack.startsWith(`AsyncLeakError: ${level === 'suite' ? 'suite "database suite"' : 'file module-level.test.js'} left 1 async resource`), error.stack)
          assertShows(error.stack, level, 'testExecError.stack')
        }
      })
    }

    // --- GitHub Actions: the runner's github-actions reporter, and the summary reporter's.

    for (const level of Object.keys(levels)) {
      test(`${runner}: GitHub Actions: a ${level}-level leak gets one error annotation, at its creation line`, () => {
        const { file, line } = levels[level]
        const errors = run.annotations.filter((a) => a.command === 'error' && basename(a.file) === file)
        assert.equal(errors.length, 1, JSON.stringify(errors, null, 2))
        const [error] = errors
        // Its place is the creation line; its message says what leaked (Vitest's and Jest's repeat the line).
        assert.equal(error.line, String(line), JSON.stringify(error))
        assertShows(error.message, level, 'annotation', { located: runner === 'vitest' || level === 'test' })
        // Jest's reporter annotates a failed test; the summary reporter what it leaves out.
        if (runner === 'jest' && level !== 'test') {
          assert.equal(error.title, 'async-debug: leaks')
          assert.equal(error.col, levels[level].site.split(':')[2])
        }
      })
    }

    test(`${runner}: GitHub Actions: nothing else is annotated`, () => {
      assert.equal(run.annotations.filter((a) => a.command === 'error').length, 3, JSON.stringify(run.annotations, null, 2))
    })
  })
}

// An async mistake's failure (AsyncTaskError) is its message and stack too: no property of its
// serialized after it, and not its cause printed again, which its message and stack show already.
for (const runner of runners) {
  test(`${runner}: an async mistake's failure is its message and stack, in every reporter`, () => {
    const run = runWithReporters(runner, 'mistakes', ['late-throw.test.js', 'rejections.test.js'])
    const mistake = /scheduled threw|left a promise rejection unhandled|handled a promise rejection too late/
    const byReporter = {
      json: run.report.testResults.flatMap((result) => [result.message, ...result.assertionResults.flatMap((a) => a.failureMessages)]),
      junit: [...run.junit.values()].flat().flatMap((c) => c.failures.flatMap((failure) => [failure.message ?? '', failure.text])),
      'github-actions': run.annotations.map((a) => a.message),
    }
    for (const [reporter, failures] of Object.entries(byReporter)) {
      const texts = failures.filter((text) => mistake.test(text))
      // Jest 30.5 fails a test for what it throws while it runs itself: the unref'd throw is always ours.
      assert.ok(texts.some((text) => text.includes('schedules an unref’d throw')), `${reporter}: ${texts.length} failures\n${failures.join('\n---\n')}`)
      for (const text of texts) assert.doesNotMatch(text, /Serialized Error|Caused by|\[cause\]|"kind"/, `${reporter}:\n${text}`)
    }
    assert.match(run.tests.get('schedules an unref’d throw').message, /scheduled threw: Error: thrown while another test runs[\s\S]*late-throw\.test\.js:20:11/)
    if (runner === 'jest') {
      const result = run.report.testResults.flatMap((r) => r.assertionResults).find((a) => a.title === 'schedules an unref’d throw')
      // Then Jest's own report of the error, moved from the test that ran when it was thrown.
      assert.deepEqual(result.failureDetails[0], { name: 'AsyncTaskError' })
    }
  })
}
