import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runVitest } from './helpers/run-vitest.mjs'

const promises = runVitest('promises')
const mistakes = runVitest('mistakes')

const failed = (run, title, pattern) => {
  const result = run.tests.get(title)
  assert.equal(result?.status, 'failed', `${title}\n${run.output}`)
  assert.match(result.message, pattern)
}
const passed = (run, title) => assert.equal(run.tests.get(title)?.status, 'passed', `${title}: ${run.tests.get(title)?.message}`)

test('a floating async call whose timer is pending: one finding, the timer, awaited by the call', () => {
  failed(
    promises,
    'floating async call whose timer is still pending',
    /left 1 async resource[\s\S]*1\. setTimeout of 300 ms, created at \S*promises\.test\.js:4:34\n {5}Awaited by async call slowThing\(\), created at \S*promises\.test\.js:16:3, which nothing awaits\./,
  )
})

test('a promise that never settles, with no timer behind it, is located at the call', () => {
  failed(promises, 'promise that never settles, no timer behind it', /1\. promise of async call waitForever\(\) still pending, created at \S*promises\.test\.js:20:8\n {5}Hint: await it/)
})

test('a chain of async calls is reported once, at its root', () => {
  failed(promises, 'chain of async calls that never settles is reported once, at its root', /left 1 async resource[\s\S]*promise of async call outer\(\) still pending, created at \S*promises\.test\.js:24:3/)
  assert.doesNotMatch(promises.tests.get('chain of async calls that never settles is reported once, at its root').message, /waitForever/)
})

test('a new Promise that never settles', () => {
  failed(promises, 'new Promise that never settles', /new Promise\(\) still pending, created at \S*promises\.test\.js:28:3/)
})

test('clean promise patterns pass', () => {
  passed(promises, 'clean: awaited work, Promise.all, race with a cleared timeout')
  passed(promises, 'clean: events.once and an async iterator aborted with a signal')
  passed(promises, 'clean: lazy import behind a promise')
  passed(promises, 'clean: a deferred allowed with allowPending')
})

test('an unhandled rejection fails the test that created the promise, with its own error and line', () => {
  failed(mistakes, 'drops a rejected promise', /^AsyncTaskError: test "drops a rejected promise" left a promise rejection unhandled: Error: boom from a floating promise[\s\S]*at failLater \(\S*rejections\.test\.js:3:9\)/)
  passed(mistakes, 'bystander of the rejections')
})

test('a rejection handled too late fails the test', () => {
  failed(mistakes, 'handles a rejection too late', /handled a promise rejection too late, after Node had reported it as unhandled: Error: handled too late/)
})

test('a late throw from a finished test’s timer fails that test, not the one running', () => {
  failed(mistakes, 'schedules a late throw', /a callback that test "schedules a late throw" scheduled threw: Error: thrown after the test ended[\s\S]*late-throw\.test\.js:3:11/)
  passed(mistakes, 'innocent bystander')
})

test('an unawaited expect().resolves fails the test, whether it would pass or fail', () => {
  failed(mistakes, 'forgets to await an assertion that would pass', /did not await an assertion: Error: Promise returned by `expect\(actual\)\.resolves\.toBe\(expected\)` was not awaited\.[\s\S]*unawaited\.test\.js:2:69/)
  failed(mistakes, 'forgets to await an assertion that would fail', /did not await an assertion/)
  passed(mistakes, 'awaits its assertion')
})

test('warnings fail the test that emitted them; deprecations only warn', () => {
  failed(mistakes, 'adds too many listeners', /test "adds too many listeners" emitted MaxListenersExceededWarning: Possible EventEmitter memory leak detected[\s\S]*warnings\.test\.js:5:/)
  passed(mistakes, 'emits a deprecation warning')
  passed(mistakes, 'bystander of the warnings')
})

test('the warnings option maps a warning name to error, warn or ignore', () => {
  const run = runVitest('mistakes', { files: ['warnings.test.js'], test: { environmentOptions: { asyncDebug: { warnings: { MaxListenersExceededWarning: 'ignore', DeprecationWarning: 'error' } } } } })
  passed(run, 'adds too many listeners')
  assert.doesNotMatch(run.output, /MaxListenersExceededWarning/)
  failed(run, 'emits a deprecation warning', /emitted DeprecationWarning: old API/)
})
