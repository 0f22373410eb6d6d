import assert from 'node:assert/strict'
import { test } from 'node:test'
import { failed, passed } from './helpers/expect-results.mjs'
import { runJest } from './helpers/run-jest.mjs'
import { runners } from './helpers/runners.mjs'
import { runVitest, vitestMajor } from './helpers/run-vitest.mjs'

// A component in the shape of a React one (test/fixtures/dom/components/clock.js), under jsdom and
// happy-dom: its leaked interval and its unawaited load fail their tests at the component's lines;
// what the DOM does for itself (AbortSignal.timeout, requestAnimationFrame, cleared timers) fails nothing.
function assertClock(run) {
  failed(run, 'leaks its interval: mounted, never unmounted', /setInterval every 1000 ms, created at \S*clock\.js:6:\d+, called from \S*clock\.test\.js:4:\d+\n\s+Hint: clear it with clearInterval/)
  // jsdom's interval is a Node timer set again from its callback: still an interval, still at the user's line.
  failed(run, 'leaks its interval after it has ticked', /setInterval every 2 ms, created at \S*clock\.js:6:\d+, called from \S*clock\.test\.js:13:\d+\n\s+Hint: clear it with clearInterval/)
  failed(run, 'leaves its load unawaited', /setTimeout of 300 ms, created at \S*clock\.js:24:\d+/)
  assert.match(run.tests.get('leaves its load unawaited').message, /mountClock \(\S*clock\.js:10:\d+\)[\s\S]*clock\.test\.js:18:\d+/)
  for (const title of ['clean: unmounted and awaited', 'clean: AbortSignal.timeout, requestAnimationFrame and a DOM event', 'clean: a DOM timer that is cleared, and one that has fired'])
    passed(run, title)
  assert.equal(run.tests.size, 6)
  assert.equal(run.exitCode, 1)
  assert.equal(run.hung, false, run.output)
}

if (runners.includes('vitest')) {
  test("vitest: environmentOptions.asyncDebug.environment 'jsdom' runs the tests in jsdom, with the checks", () =>
    assertClock(runVitest('dom/components', { test: { environmentOptions: { asyncDebug: { environment: 'jsdom' } } } })))

  test("vitest: the plugin wraps the config's environment: 'happy-dom' instead of replacing it", () =>
    assertClock(runVitest('dom/components', { plugin: {}, test: { environment: 'happy-dom' } })))

  // Vitest 3.2 hangs with any custom environment on the vm pools: the plugin refuses them there (vitest-pools.test.mjs).
  test("vitest: the plugin on a vm pool wraps jsdom's vm environment", { skip: vitestMajor < 4 && 'Vitest 3.2 hangs on the vm pools with any custom environment' }, () =>
    assertClock(runVitest('dom/components', { plugin: {}, test: { environment: 'jsdom', pool: 'vmThreads' } })))

  test('vitest: with the plugin, a file whose docblock picks happy-dom keeps the checks; one naming async-debug gets the project environment, wrapped', () => {
    const run = runVitest('dom/docblock', { plugin: {}, test: { environment: 'jsdom' } })
    failed(run, 'runs in happy-dom, and its leaked interval fails it', /setInterval every 1000 ms, created at \S*happy-dom\.test\.js:6:3/)
    passed(run, 'clean: in happy-dom')
    failed(run, 'runs in jsdom, and its leaked timer fails it', /setTimeout of 1000 ms, created at \S*async-debug\.test\.js:6:3/)
    assert.equal(run.exitCode, 1)
  })

  // test/fixtures/vitest/custom-environment/environment.js: a project's own environment, composed with withAsyncDebug().
  const customEnvironment = (run) => {
    const leak = run.tests.get('runs in the project environment, and its leaked timer fails it')
    failed(run, 'runs in the project environment, and its leaked timer fails it', /left 1 async resource alive[\s\S]*setTimeout of 10000 ms, created at \S*custom\.test\.js:3:3/)
    // Checked once: with the plugin too, whose environment wraps the project's own.
    assert.equal(leak.message.match(/setTimeout of 10000 ms/g).length, 1, leak.message)
    passed(run, 'clean: in the project environment')
    assert.equal(run.exitCode, 1)
  }
  test('vitest: withAsyncDebug() adds the checks to an environment of the project, whose setup still runs', () =>
    customEnvironment(runVitest('vitest/custom-environment', { test: { environment: './environment.js' } })))

  test('vitest: with the plugin, an environment made by withAsyncDebug() is checked once', () =>
    customEnvironment(runVitest('vitest/custom-environment', { plugin: {}, test: { environment: './environment.js' } })))

  test('vitest: withAsyncDebug() with an environment to wrap in its options too is one error naming the option', async () => {
    const run = runVitest('vitest/custom-environment', { test: { environment: './environment.js', environmentOptions: { asyncDebug: { environment: 'jsdom' } } } })
    assert.notEqual(run.exitCode, 0)
    assert.equal([...run.tests.values()].filter((t) => t.status === 'passed').length, 0)
    assert.match(run.output, /async-debug: option `environmentOptions\.asyncDebug\.environment` names an environment to wrap, but this environment is withAsyncDebug\(\) of 'project' already/)
    const { withAsyncDebug } = await import('async-debug/vitest')
    assert.throws(() => withAsyncDebug(undefined), /^TypeError: withAsyncDebug: expected a Vitest environment \(an object with a setup\(\) method\), got undefined$/)
  })

  test('vitest: an environment to wrap that does not exist is one error naming the option', () => {
    const run = runVitest('dom/components', { test: { environmentOptions: { asyncDebug: { environment: 'no-such-dom' } } } })
    assert.notEqual(run.exitCode, 0)
    assert.equal([...run.tests.values()].filter((t) => t.status === 'passed').length, 0)
    assert.match(run.output, /async-debug: cannot find the Vitest environment 'no-such-dom' to wrap \(environmentOptions\.asyncDebug\.environment\)/)
  })

  test('vitest: the plugin given an environment that the config contradicts is one error naming both', () => {
    const run = runVitest('dom/components', { plugin: { environment: 'happy-dom' }, test: { environment: 'jsdom' } })
    assert.notEqual(run.exitCode, 0)
    assert.match(run.output, /the config sets `test\.environment: 'jsdom'` and the plugin `asyncDebug\(\{ environment: 'happy-dom' \}\)`/)
  })
}

if (runners.includes('jest')) {
  // jest-environment-jsdom's jsdom may sit in its own node_modules: it is not Jest's code, its timers are the test's.
  test("jest: testEnvironment 'async-debug/jsdom' runs the tests in jsdom, with the checks", () =>
    assertClock(runJest('dom/components', { config: { testEnvironment: 'async-debug/jsdom' } })))

  test('jest: withAsyncDebug composes @happy-dom/jest-environment', () =>
    assertClock(runJest('dom/components', { config: { testEnvironment: '<rootDir>/happy-dom-environment.cjs' } })))
}
