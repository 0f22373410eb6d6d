import assert from 'node:assert/strict'
import { test } from 'node:test'
import { failed, passed } from './helpers/expect-results.mjs'
import { runShared, runners } from './helpers/runners.mjs'

for (const runner of runners) {
  const run = runShared(runner, 'promises')

  test(`${runner}: a floating async call whose timer is pending: one finding, the timer, awaited by the call`, () => {
    failed(
      run,
      'floating async call whose timer is still pending',
      /left 1 async resource[\s\S]*1\. setTimeout of 300 ms, created at \S*promises\.test\.js:4:34\n {5}Awaited by async call slowThing\(\), created at \S*promises\.test\.js:16:3, which nothing awaits\./,
    )
  })

  test(`${runner}: a promise that never settles, with no timer behind it, is located at the call`, () => {
    failed(run, 'promise that never settles, no timer behind it', /1\. promise of async call waitForever\(\) still pending, created at \S*promises\.test\.js:20:8\n {5}Hint: await it/)
  })

  test(`${runner}: a chain of async calls is reported once, at its root`, () => {
    failed(run, 'chain of async calls that never settles is reported once, at its root', /left 1 async resource[\s\S]*promise of async call outer\(\) still pending, created at \S*promises\.test\.js:24:3/)
    assert.doesNotMatch(run.tests.get('chain of async calls that never settles is reported once, at its root').message, /waitForever/)
  })

  test(`${runner}: a new Promise that never settles`, () => {
    failed(run, 'new Promise that never settles', /new Promise\(\) still pending, created at \S*promises\.test\.js:28:3/)
  })

  test(`${runner}: clean promise patterns pass`, () => {
    passed(run, 'clean: awaited work, Promise.all, race with a cleared timeout')
    passed(run, 'clean: events.once and an async iterator aborted with a signal')
    passed(run, 'clean: lazy import behind a promise')
    passed(run, 'clean: a deferred allowed with allowPending')
  })
}
