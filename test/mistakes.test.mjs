import assert from 'node:assert/strict'
import { test } from 'node:test'
import { failed, passed } from './helpers/expect-results.mjs'
import { runShared, runners } from './helpers/runners.mjs'
import { vitestMajor } from './helpers/run-vitest.mjs'

// Jest 30.5 charges uncaught errors and unhandled rejections to the test whose code raised them,
// with its own message; async-debug does on Vitest, and adds what Jest does not report.
for (const runner of runners) {
  const mistakes = runShared(runner, 'mistakes')
  // Where async-debug's own report is the one the user sees.
  const ours = (title, pattern) => runner === 'vitest' && failed(mistakes, title, pattern)

  test(`${runner}: an unhandled rejection fails the test that created the promise, with its own error and line`, () => {
    failed(mistakes, 'drops a rejected promise', /boom from a floating promise[\s\S]*at failLater \(\S*rejections\.test\.js:3:9\)/)
    ours('drops a rejected promise', /^AsyncTaskError: test "drops a rejected promise" left a promise rejection unhandled: Error: boom/)
    passed(mistakes, 'bystander of the rejections')
  })

  test(`${runner}: a rejection handled too late fails the test`, () => {
    failed(mistakes, 'handles a rejection too late', /handled too late/)
    ours('handles a rejection too late', /handled a promise rejection too late, after Node had reported it as unhandled: Error: handled too late/)
  })

  test(`${runner}: a late throw from a finished test’s timer fails that test, not the one running`, () => {
    failed(mistakes, 'schedules a late throw', /thrown after the test ended[\s\S]*late-throw\.test\.js:3:11/)
    ours('schedules a late throw', /a callback that test "schedules a late throw" scheduled threw/)
    passed(mistakes, 'innocent bystander')
    assert.ok(!mistakes.fileErrors.some((error) => /thrown after the test ended/.test(error)), 'reported once')
    // The error passed through async-debug's timer wrapper, whose frame is not the user's to see.
    assert.doesNotMatch(mistakes.tests.get('schedules a late throw').message, /Timeout\.timed|dist[\\/](?:vitest\.js|jest\.cjs)/)
  })

  test(`${runner}: a throw from an unref’d timer after its test was judged fails that test, not the one running then`, () => {
    failed(mistakes, 'schedules an unref’d throw', /a callback that test "schedules an unref’d throw" scheduled threw: Error: thrown while another test runs[\s\S]*late-throw\.test\.js:20:11/)
    passed(mistakes, 'bystander of the unref’d throw')
    assert.ok(!mistakes.fileErrors.some((error) => /thrown while another test runs/.test(error)), 'reported once')
  })

  test(`${runner}: our failures carry their message and stack only, not the emitter, scope or site behind them`, () => {
    assert.doesNotMatch(mistakes.output, /Serialized Error|_events|openedAt/)
  })

  test(`${runner}: too many listeners on a shared emitter fail the tests that left theirs attached, not the one that added one too many`, () => {
    for (let i = 1; i <= 10; i++)
      failed(mistakes, `leaves a listener on the shared emitter ${i}`, new RegExp(`test "leaves a listener on the shared emitter ${i}" left listeners attached to an emitter that outlives it \\(its first added at \\S*listeners\\.test\\.js:8:\\d+\\)[^\\n]*MaxListenersExceededWarning[\\s\\S]*Hint: remove the listener it adds before it ends[\\s\\S]*listeners\\.test\\.js:8:\\d+`))
    passed(mistakes, 'adds a listener to the shared emitter and removes it')
  })

  test(`${runner}: an emitter over its limit with the listeners Node adds to pipe workers' stdio into the process's fails no test`, () => {
    passed(mistakes, 'adds a listener to stdout while eleven workers pipe into it')
    assert.ok(!mistakes.fileErrors.some((error) => /worker-stdio/.test(error)), mistakes.fileErrors.join('\n'))
  })

  // ioredis-mock: 107 failures, none said where the listeners were added.
  test(`${runner}: each failure for too many listeners names the line that added the test's first, or, where the test made the emitter, the line where the others added theirs`, () => {
    failed(mistakes, 'adds a listener to the emitter the first test made 1', /left listeners attached to an emitter that outlives it \(the other tests added theirs at \S*listeners\.test\.js:35:\d+\)/)
    for (let i = 2; i <= 10; i++) failed(mistakes, `adds a listener to the emitter the first test made ${i}`, /left listeners attached to an emitter that outlives it \(its first added at \S*listeners\.test\.js:35:\d+\)/)
    passed(mistakes, 'adds a listener to the emitter the first test made 11')
  })

  // tinypool's streams went over their limit for unpipe, error, close and finish: four failures of each test.
  test(`${runner}: an emitter over its limit for several events fails each test that left listeners once, saying how many others did`, () => {
    for (let i = 1; i <= 10; i++) {
      const title = `leaves close and finish listeners on a shared stream ${i}`
      failed(mistakes, title, /left listeners attached to an emitter that outlives it[\s\S]*9 other tests left theirs on the same emitter, and fail for it too/)
      assert.equal(mistakes.tests.get(title).message.match(/left listeners attached/g).length, 1, mistakes.tests.get(title).message)
    }
    passed(mistakes, 'adds close and finish listeners to the shared stream and removes them')
  })

  test(`${runner}: an unawaited expect().resolves fails the test, whether it would pass or fail`, () => {
    if (runner === 'vitest' && vitestMajor >= 5) {
      // Vitest 5 fails such a test itself, at the same line: async-debug adds nothing.
      failed(mistakes, 'forgets to await an assertion that would pass', /^Error: Promise returned by `expect\(actual\)\.resolves\.toBe\(expected\)` was not awaited\.[\s\S]*unawaited\.test\.js:2:\d+/)
      failed(mistakes, 'forgets to await an assertion that would fail', /was not awaited/)
      assert.doesNotMatch(mistakes.tests.get('forgets to await an assertion that would pass').message, /did not await an assertion/)
    } else {
      failed(mistakes, 'forgets to await an assertion that would pass', /did not await an assertion: Error: Promise returned by `expect\(actual\)\.resolves\.toBe\(expected\)` was not awaited\.[\s\S]*unawaited\.test\.js:2:\d+/)
      failed(mistakes, 'forgets to await an assertion that would fail', /did not await an assertion/)
    }
    passed(mistakes, 'awaits its assertion')
  })

  test(`${runner}: named warnings fail the test that emitted them, with a hint that lets exactly that one pass; the generic Warning and deprecations only warn`, () => {
    failed(mistakes, 'adds too many listeners', /test "adds too many listeners" emitted MaxListenersExceededWarning: Possible EventEmitter memory leak detected[\s\S]*warnings\.test\.js:5:/)
    failed(mistakes, 'emits a named warning', /emitted UnsupportedWarning: HTTP\/2 is not supported here[\s\S]*Hint: fix its cause; if the test provokes it on purpose, let this warning pass with the option `ignore: \{ warnings: \["HTTP\/2 is not supported here"\] \}` \(every UnsupportedWarning: `warnings: \{ UnsupportedWarning: 'warn' \}`\)/)
    failed(mistakes, 'emits a named warning with a code', /emitted SecurityWarning: a test provokes this on purpose[\s\S]*`ignore: \{ warnings: \["ZOO_PURPOSE"\] \}`/)
    passed(mistakes, 'emits a generic warning')
    assert.match(mistakes.output, /Warning: something looks odd/)
    passed(mistakes, 'emits a deprecation warning')
    passed(mistakes, 'bystander of the warnings')
  })

  test(`${runner}: ignore.warnings lets one warning pass by its code or its text, and Node prints it`, () => {
    const run = runShared(runner, 'mistakes', { files: ['warnings.test.js'], asyncDebug: { ignore: { warnings: ['ZOO_PURPOSE', '/^HTTP\\/2 is not/'] } } })
    passed(run, 'emits a named warning')
    passed(run, 'emits a named warning with a code')
    assert.match(run.output, /UnsupportedWarning: HTTP\/2 is not supported here/)
    failed(run, 'adds too many listeners', /MaxListenersExceededWarning/)
  })

  test(`${runner}: the warnings option maps a warning name to error, warn or ignore`, () => {
    const run = runShared(runner, 'mistakes', { files: ['warnings.test.js'], asyncDebug: { warnings: { MaxListenersExceededWarning: 'ignore', DeprecationWarning: 'error' } } })
    passed(run, 'adds too many listeners')
    assert.doesNotMatch(run.output, /MaxListenersExceededWarning/)
    failed(run, 'emits a deprecation warning', /emitted DeprecationWarning: old API/)
  })
}
