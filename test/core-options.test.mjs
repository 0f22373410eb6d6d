import assert from 'node:assert/strict'
import { test } from 'node:test'
import { resolveOptions } from './helpers/core.mjs'

test('defaults', () => {
  const settings = resolveOptions(undefined, 'asyncDebug', {})
  assert.deepEqual({ ...settings, ignoreTypes: [...settings.ignoreTypes], failOn: [...settings.failOn] }, {
    ignoreTypes: [],
    ignoreStacks: [],
    ignoreWarnings: [],
    countUnref: false,
    dispose: true,
    settleMs: 50,
    tracePromises: false,
    slowCallbackMs: 0,
    failOn: ['leaks', 'promises', 'rejections', 'assertions', 'warnings', 'fake-timers'],
    timeAllCallbacks: false,
    watchdogSeconds: 0,
    allowTests: [],
    baseline: undefined,
    breakAt: [],
    warnings: new Map([['Warning', 'warn'], ['DeprecationWarning', 'warn'], ['ExperimentalWarning', 'warn']]),
  })
})

test('each bad option is a TypeError naming its key, as the user wrote it', () => {
  const cases = [
    ['nope', "option `where` must be an object, got 'nope'"],
    [{ extra: 1 }, 'unknown option `where.extra`; known: ignore, countUnref, dispose, settleMs, warnings, tracePromises, slowCallbackMs, failOnSlowCallback, failOn, timeAllCallbacks, watchdogSeconds, allowTests, baseline'],
    [{ baseline: 42 }, "option `where.baseline` must be a file path, such as 'async-debug.baseline.json', got 42"],
    [{ failOn: ['leak'] }, "option `where.failOn[0]` must be one of leaks, promises, rejections, assertions, warnings, fake-timers, slow-callbacks, got 'leak'"],
    [{ ignore: [] }, 'option `where.ignore` must be an object like { types, stacks, warnings }, got []'],
    [{ ignore: { type: [] } }, 'unknown option `where.ignore.type`; known: types, stacks, warnings'],
    [{ ignore: { types: 'timeout' } }, "option `where.ignore.types` must be an array, got 'timeout'"],
    [{ ignore: { stacks: [42] } }, 'option `where.ignore.stacks[0]` must be a string or a RegExp, got 42'],
    [{ settleMs: -1 }, 'option `where.settleMs` must be a number of ms from 0 to 10000, got -1'],
    [{ slowCallbackMs: '100' }, "option `where.slowCallbackMs` must be a number of ms >= 0, got '100'"],
    [{ failOnSlowCallback: 1 }, 'option `where.failOnSlowCallback` must be a boolean, got 1'],
    [{ allowTests: [{ name: 'vendor > connects' }] }, 'option `where.allowTests[0].reason` must be a non-empty string saying why, got undefined'],
    [{ allowTests: [{ name: 42, reason: 'why' }] }, 'option `where.allowTests[0].name` must be a string or a RegExp, got 42'],
    [{ allowTests: [{ name: 'x', reason: 'why', why: 1 }] }, 'unknown option `where.allowTests[0].why`; known: name, reason'],
    [{ dispose: 'no' }, "option `where.dispose` must be a boolean, got 'no'"],
    [{ html: 'page.html' }, "option `where.html` belongs to the summary reporter, not the environment: reporters: ['default', ['async-debug/vitest/reporter', { html: '…' }]] (Jest: 'async-debug/jest/reporter')"],
    [{ warnings: { MaxListenersExceededWarning: 'fail' } }, "option `where.warnings.MaxListenersExceededWarning` must be one of error, warn, ignore, got 'fail'"],
  ]
  for (const [options, message] of cases)
    assert.throws(() => resolveOptions(options, 'where'), { name: 'TypeError', message: `async-debug: ${message}` }, JSON.stringify(options))
})

test('failOn names what fails; failOnSlowCallback adds slow callbacks to it', () => {
  assert.deepEqual([...resolveOptions({ failOn: [] }, 'where', {}).failOn], [])
  assert.deepEqual([...resolveOptions({ failOn: ['rejections'], failOnSlowCallback: true }, 'where', {}).failOn], ['rejections', 'slow-callbacks'])
})

test('slow callbacks are timed, for 100 ms unless set, only when an option asks for them', () => {
  const limit = (options) => resolveOptions(options, 'where', {}).slowCallbackMs
  assert.equal(limit({}), 0)
  assert.equal(limit({ slowCallbackMs: 50 }), 50)
  assert.equal(limit({ failOnSlowCallback: true }), 100)
  assert.equal(limit({ failOn: ['slow-callbacks'] }), 100)
  assert.equal(limit({ timeAllCallbacks: true }), 100)
  assert.equal(limit({ timeAllCallbacks: true, slowCallbackMs: 0 }), 0)
})

test('a string written as a RegExp literal is that RegExp; any other string is a substring', () => {
  const { ignoreStacks, allowTests } = resolveOptions({ ignore: { stacks: ['/node_modules\\/pino/i', 'node_modules/pino', '/'] }, allowTests: [{ name: '/^db > /', reason: 'why' }] }, 'where', {})
  assert.deepEqual(ignoreStacks, [/node_modules\/pino/i, 'node_modules/pino', '/'])
  assert.deepEqual(allowTests[0].name, /^db > /)
})

test('options that the config reaches workers with as JSON (Jest) take RegExps as strings only', () => {
  assert.throws(() => resolveOptions({ ignore: { stacks: [/pino/] } }, 'where', {}, true), {
    name: 'TypeError',
    message: "async-debug: option `where.ignore.stacks[0]` must be a string, or a RegExp written as a string such as '/pino/i' (Jest's config reaches its workers as JSON, which empties a RegExp), got /pino/",
  })
  assert.deepEqual(resolveOptions({ ignore: { stacks: ['/pino/'] } }, 'where', {}, true).ignoreStacks, [/pino/])
})

test('the watchdog is set by its option or, winning, by ASYNC_DEBUG_WATCHDOG; a bad value names the variable', () => {
  assert.equal(resolveOptions({}, 'where', {}).watchdogSeconds, 0)
  assert.equal(resolveOptions({ watchdogSeconds: 30 }, 'where', {}).watchdogSeconds, 30)
  assert.equal(resolveOptions({ watchdogSeconds: 30 }, 'where', { ASYNC_DEBUG_WATCHDOG: '5' }).watchdogSeconds, 5)
  assert.throws(() => resolveOptions({}, 'where', { ASYNC_DEBUG_WATCHDOG: 'soon' }), {
    name: 'TypeError',
    message: "async-debug: environment variable ASYNC_DEBUG_WATCHDOG must be a number of seconds >= 0, got 'soon'",
  })
  assert.throws(() => resolveOptions({ watchdogSeconds: -1 }, 'where', {}), { message: 'async-debug: option `where.watchdogSeconds` must be a number of seconds >= 0, got -1' })
})

test('a RegExp that arrives empty (a runner sent the config as JSON) gets the string form to use', () => {
  assert.throws(() => resolveOptions({ ignore: { stacks: [{}] } }, 'where', {}), {
    name: 'TypeError',
    message: "async-debug: option `where.ignore.stacks[0]` must be a string or a RegExp; a RegExp that arrives empty, as here, was emptied on its way to the worker: write it as a string such as '/pino/i', got {}",
  })
})

test('ASYNC_DEBUG_BREAK: file:line sites, comma-separated, a failure\'s file:line:column too; anything else is one error naming the variable', () => {
  assert.deepEqual(resolveOptions({}, 'asyncDebug', { ASYNC_DEBUG_BREAK: 'src/queue.js:8, test/a.test.js:12:5' }).breakAt, [{ file: 'src/queue.js', line: 8 }, { file: 'test/a.test.js', line: 12 }])
  assert.deepEqual(resolveOptions({}, 'asyncDebug', { ASYNC_DEBUG_BREAK: ' ' }).breakAt, [])
  for (const bad of ['src/queue.js', 'src/queue.js:0', ':8'])
    assert.throws(() => resolveOptions({}, 'asyncDebug', { ASYNC_DEBUG_BREAK: bad }), { name: 'TypeError', message: `async-debug: environment variable ASYNC_DEBUG_BREAK must be file:line of a creation site, as a failure prints it (e.g. ASYNC_DEBUG_BREAK=src/queue.js:8), got ${JSON.stringify(bad)}` })
})
