import assert from 'node:assert/strict'
import { test } from 'node:test'
import { failed, passed } from './helpers/expect-results.mjs'
import { importedCallColumn, runShared, runners } from './helpers/runners.mjs'

for (const runner of runners) {
  const run = runShared(runner, 'promises')

  test(`${runner}: a floating async call whose timer is pending: one finding, the timer, awaited by the call`, () => {
    failed(
      run,
      'floating async call whose timer is still pending',
      /left 1 async resource[\s\S]*1\. setTimeout of 300 ms, created at \S*promises\.test\.js:4:34\n {5}Awaited by async call slowThing\(\), created at \S*promises\.test\.js:16:3, which nothing awaits\./,
    )
  })

  test(`${runner}: a floating call with nothing live under it passes, with a warning at the call`, () => {
    passed(run, 'floating call with nothing live under it: a warning')
    assert.match(run.output, /warning: test "floating call with nothing live under it: a warning" left a call pending that nothing awaits[^\n]*\n\s*\n\s+1\. async call waitForever\(\) was never awaited and is still pending, created at \S*promises\.test\.js:20:8\n\s+Hint: await it/)
  })

  test(`${runner}: a chain of floating calls is one warning, at its root`, () => {
    passed(run, 'chain of floating calls: one warning, at its root')
    assert.match(run.output, /async call outer\(\) was never awaited and is still pending, created at \S*promises\.test\.js:24:3/)
    assert.doesNotMatch(run.output, /async call waitForever\(\) was never awaited[^\n]*promises\.test\.js:12/)
  })

  test(`${runner}: promises whose settling can run no code of the test are not reported`, () => {
    passed(run, 'new Promise that never settles: settling it would run nothing')
    passed(run, 'does not use the deferred of its beforeEach')
    passed(run, 'awaits a race with a handler that hangs on purpose, then aborts')
    passed(run, 'imports a module with top-level await')
    assert.doesNotMatch(run.output, /new Promise\(\) still pending|Promise\.race|top-level-await/)
  })

  test(`${runner}: a call dropped in the project's sources is located there and at the test's line, and warned of in full once`, () => {
    passed(run, 'pushes without awaiting')
    passed(run, 'pushes without awaiting again')
    assert.match(run.output, new RegExp(String.raw`async call send\(\) was never awaited and is still pending, created at \S*client\.js:8:10, called from \S*promises\.test\.js:114:${importedCallColumn(runner, 5, 'push')}`))
    assert.match(run.output, /warning: test "a client call dropped in many tests > pushes without awaiting again" left async call send\(\) \(created at \S*client\.js:8:10\) pending that nothing awaits, as an earlier test did\./)
  })

  test(`${runner}: a floating call that a one-off operation finishes just after the test is given the turns to finish: no warning, no failure`, () => {
    passed(run, 'drops a call that a file read finishes just after it')
    passed(run, 'runs after the file read')
    passed(run, 'drops a call that a file read finishes late, behind busy threads')
    passed(run, 'runs after the late file read')
    assert.doesNotMatch(run.output, /readOwnSource/)
  })

  test(`${runner}: a floating call that a later test resumes fails the test that left it, at the call`, () => {
    failed(run, 'starts a wait that a later test resumes', /test "starts a wait that a later test resumes" did not await async call waitForReady\(\), which ran again during test "emits the event that resumes it", after the test had ended[\s\S]*promises\.test\.js:75:3/)
    passed(run, 'emits the event that resumes it')
  })

  test(`${runner}: clean promise patterns pass`, () => {
    passed(run, 'clean: awaited work, Promise.all, race with a cleared timeout')
    passed(run, 'clean: events.once and an async iterator aborted with a signal')
    passed(run, 'clean: lazy import behind a promise')
    passed(run, 'clean: a deferred allowed with allowPending')
  })
}

for (const runner of runners) {
  const run = runShared(runner, 'promises', { files: ['collectable.test.js'] })

  test(`${runner}: what async-debug records keeps nothing from being garbage-collected`, () => {
    passed(run, 'an object held only by settled promises and a finished async call is collected')
    // Found on pmndrs/jotai: a WeakRef kept its target for the rest of the job that made it.
    passed(run, 'an object held only by settled promises is collected by a gc() in the job that made them')
    passed(run, 'an object held only by a call that never settles is collected')
  })
}
