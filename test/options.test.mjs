import assert from 'node:assert/strict'
import { test } from 'node:test'
import { onlyFor, runShared, runners } from './helpers/runners.mjs'
import { runJest } from './helpers/run-jest.mjs'
import { runVitest, vitestMajor } from './helpers/run-vitest.mjs'

const statuses = (run) => Object.fromEntries([...run.tests].map(([title, { status }]) => [title, status]))
// Where each runner takes the environment's options.
const where = { vitest: 'environmentOptions.asyncDebug', jest: 'testEnvironmentOptions.asyncDebug' }

for (const runner of runners) {
  // Leaks left running on purpose (ignored, or dispose: false) keep Jest's process alive, as they would without async-debug.
  const runWith = (asyncDebug) => runShared(runner, 'options', { asyncDebug, args: { jest: ['--forceExit'] } })
  const defaults = runWith(undefined)

  test(`${runner}: defaults: leaks fail, unref handles do not count, disposed leaks stop firing`, () => {
    assert.deepEqual(statuses(defaults), {
      'leaks a timeout': 'failed',
      'leaks an interval that counts': 'failed',
      'runs after the counting interval': 'passed',
      'leaks an unref interval': 'passed',
      'leaks through the ignored helper': 'failed',
      'leaves a timeout due in 150 ms': 'failed',
      'fetches from a server of its suite and reads the body': 'passed',
      'fetches again, on the kept-alive socket': 'passed',
      'sets an AbortSignal.timeout that is still pending': 'passed',
    })
    assert.match(defaults.tests.get('leaks a timeout').message, /async-debug disposed of it so that later tests are not affected/)
  })

  test(`${runner}: ignore.types leaves resources of those types alone, neither reported nor disposed`, () => {
    const run = runWith({ ignore: { types: ['interval'] } })
    assert.equal(run.tests.get('leaks an interval that counts').status, 'passed')
    assert.equal(run.tests.get('runs after the counting interval').status, 'failed')
    assert.equal(run.tests.get('leaks a timeout').status, 'failed')
  })

  // Jest's workers get the config as JSON, which empties a RegExp: there, only its string form works.
  // Vitest 3 sends it to workers in a form that empties a RegExp too.
  const patterns = ['ignored-helper.js', '/IGNORED-helper\\.js:\\d+/i', ...(runner === 'vitest' && vitestMajor >= 4 ? [/ignored-helper\.js:\d+/] : [])]
  test(`${runner}: ignore.stacks skips resources whose creation stack matches a string, a RegExp written as a string${patterns.length > 2 ? ' or a RegExp' : ''}`, () => {
    for (const pattern of patterns) {
      const run = runWith({ ignore: { stacks: [pattern] } })
      assert.equal(run.tests.get('leaks through the ignored helper').status, 'passed', String(pattern))
      assert.equal(run.tests.get('leaks an interval that counts').status, 'failed', String(pattern))
    }
  })

  test(`${runner}: countUnref: true counts unref handles`, () => {
    const run = runWith({ countUnref: true })
    assert.equal(run.tests.get('leaks an unref interval').status, 'failed')
    assert.match(run.tests.get('leaks an unref interval').message, /setInterval every 1000 ms, created at \S*options\.test\.js:20:3/)
    assert.match(run.tests.get('sets an AbortSignal.timeout that is still pending').message, /setTimeout of 5000 ms, created at \S*http\.test\.js:26:28/)
    // Node's bookkeeping around an HTTP exchange runs none of the test's code.
    assert.equal(run.tests.get('fetches from a server of its suite and reads the body').status, 'passed', run.tests.get('fetches from a server of its suite and reads the body').message)
    assert.equal(run.tests.get('fetches again, on the kept-alive socket').status, 'passed', run.tests.get('fetches again, on the kept-alive socket').message)
  })

  test(`${runner}: dispose: false reports leaks but leaves them running`, () => {
    const run = runWith({ dispose: false })
    assert.equal(run.tests.get('leaks an interval that counts').status, 'failed')
    assert.doesNotMatch(run.tests.get('leaks an interval that counts').message, /disposed/)
    assert.equal(run.tests.get('runs after the counting interval').status, 'failed')
  })

  test(`${runner}: settleMs: a timer due within the settle window is waited for`, () => {
    const run = runWith({ settleMs: 300 })
    assert.equal(run.tests.get('leaves a timeout due in 150 ms').status, 'passed')
    assert.equal(run.tests.get('leaks a timeout').status, 'failed')
  })

  for (const [options, message] of [
    [{ ignor: {} }, `unknown option \`${where[runner]}.ignor\`; known: ignore, countUnref, dispose, settleMs, warnings, tracePromises`],
    [{ settleMs: '50' }, `option \`${where[runner]}.settleMs\` must be a number of ms from 0 to 10000, got '50'`],
    [{ settleMs: 1e9 }, `option \`${where[runner]}.settleMs\` must be a number of ms from 0 to 10000, got 1000000000`],
    [{ ignore: { stacks: ['/(unclosed/'] } }, `option \`${where[runner]}.ignore.stacks[0]\` must be a valid RegExp literal (Invalid regular expression: /(unclosed/: Unterminated group), got '/(unclosed/'`],
    [{ ignore: { types: ['timer'] } }, `option \`${where[runner]}.ignore.types[0]\` must be one of timeout, interval`],
    [{ countUnref: 1 }, `option \`${where[runner]}.countUnref\` must be a boolean, got 1`],
  ])
    test(`${runner}: bad options fail the run with one error naming the key, without frames of ours: ${JSON.stringify(options)}`, () => {
      const run = runWith(options)
      assert.notEqual(run.exitCode, 0)
      assert.equal(run.tests.size, 0)
      assert.ok(run.output.includes(`TypeError: async-debug: ${message}`), run.output)
      assert.doesNotMatch(run.output, /dist[/\\](?:jest|vitest)|\bat (?:fail|resolveOptions|optionsIn)\b/)
    })
}

// Without the plugin each worker meets the option (Vitest 4 and 5 print it per test file, 3.2 once): its error is one line, without frames, and names the plugin.
test('vitest: a bad option given to the environment alone is its message only, without frames, pointing to the plugin', onlyFor('vitest'), () => {
  const run = runVitest('options', { test: { environmentOptions: { asyncDebug: { dispose: 'yes' } } } })
  assert.notEqual(run.exitCode, 0)
  const causes = run.output.match(/^(?:Caused by: )?TypeError: async-debug: .*\n(.*)/gm) ?? []
  assert.ok(causes.length > 0, run.output)
  for (const cause of causes) {
    assert.ok(cause.includes("option `environmentOptions.asyncDebug.dispose` must be a boolean, got 'yes' (the Vitest plugin, asyncDebug(), checks the options once, before any worker starts)"), cause)
    assert.doesNotMatch(cause.split('\n')[1], /❯|\bat /, 'no frames of async-debug or of Vitest after the message')
  }
})

test('vitest: the plugin validates its options in the main process, before any worker starts', onlyFor('vitest'), () => {
  const run = runVitest('options', { plugin: { dispose: 'yes' } })
  assert.notEqual(run.exitCode, 0)
  assert.match(run.output, /TypeError: async-debug: option `asyncDebug\(\)\.dispose` must be a boolean, got 'yes'/)
  assert.doesNotMatch(run.output, /vitest-pool|async-debug[/\\]dist/)
})

test('vitest: with the plugin, environmentOptions.asyncDebug is checked too, once, before any worker starts, without frames of ours', onlyFor('vitest'), () => {
  const run = runVitest('options', { plugin: {}, test: { environmentOptions: { asyncDebug: { dispose: 'yes' } } } })
  assert.notEqual(run.exitCode, 0)
  assert.equal(run.tests.size, 0)
  assert.equal(run.output.match(/TypeError: async-debug: option `environmentOptions\.asyncDebug\.dispose` must be a boolean, got 'yes'/g)?.length, 1, run.output)
  assert.doesNotMatch(run.output, /vitest-pool|Failed to start|async-debug[/\\]dist/)
})

// Options one level too high are ignored by the runner without a word: each gets one clear error.
test('vitest: options written straight under environmentOptions fail the run, naming where they go', onlyFor('vitest'), () => {
  const run = runVitest('options', { test: { environmentOptions: { ignore: { types: ['interval'] } } } })
  assert.notEqual(run.exitCode, 0)
  assert.equal(run.tests.size, 0)
  assert.ok(run.output.includes("TypeError: async-debug: `environmentOptions.ignore` is not read there: async-debug's options go under `environmentOptions.asyncDebug`, as in environmentOptions: { asyncDebug: { ignore: { types: [ 'interval' ] } } }"), run.output)
})

test('jest: options written straight under testEnvironmentOptions fail the run, naming where they go', onlyFor('jest'), () => {
  const run = runJest('shared/options', { config: { testEnvironmentOptions: { settleMs: 300 } } })
  assert.notEqual(run.exitCode, 0)
  assert.ok(run.output.includes("TypeError: async-debug: `testEnvironmentOptions.settleMs` is not read there: async-debug's options go under `testEnvironmentOptions.asyncDebug`"), run.output)
})

test('vitest: with the plugin, options written as test.asyncDebug fail the run, naming where they go', onlyFor('vitest'), () => {
  const run = runVitest('options', { plugin: {}, test: { asyncDebug: { settleMs: 300 } } })
  assert.notEqual(run.exitCode, 0)
  assert.ok(run.output.includes('TypeError: async-debug: `test.asyncDebug` is not read: give the options to the plugin, `asyncDebug({ … })`, or as `test.environmentOptions.asyncDebug`'), run.output)
})

test("vitest: options keyed by the environment's name, environmentOptions['async-debug'], are read", onlyFor('vitest'), () => {
  const run = runVitest('options', { test: { environmentOptions: { 'async-debug': { ignore: { types: ['interval'] } } } } })
  assert.equal(run.tests.get('leaks an interval that counts').status, 'passed')
  assert.equal(run.tests.get('leaks a timeout').status, 'failed')
  const bad = runVitest('options', { test: { environmentOptions: { 'async-debug': { dispose: 'no' } } } })
  assert.ok(bad.output.includes("TypeError: async-debug: option `environmentOptions['async-debug'].dispose` must be a boolean, got 'no'"), bad.output)
})

// In band a RegExp would arrive intact, with workers as {} (see jest.test.mjs): refused either way, for the same result.
test('jest: a RegExp object in the options is refused in band too, with the string form to use', onlyFor('jest'), () => {
  const run = runJest('shared/options', { args: ['--runInBand'], config: { testEnvironmentOptions: { asyncDebug: { ignore: { stacks: [/ignored-helper/] } } } } })
  assert.notEqual(run.exitCode, 0)
  assert.ok(run.output.includes("option `testEnvironmentOptions.asyncDebug.ignore.stacks[0]` must be a string, or a RegExp written as a string such as '/pino/i' (Jest's config reaches its workers as JSON, which empties a RegExp), got /ignored-helper/"), run.output)
})
