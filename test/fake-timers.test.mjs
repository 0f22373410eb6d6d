import assert from 'node:assert/strict'
import { test } from 'node:test'
import { failed, passed } from './helpers/expect-results.mjs'
import { runJest } from './helpers/run-jest.mjs'
import { onlyFor, runShared, runners } from './helpers/runners.mjs'

for (const runner of runners) {
  const run = runShared(runner, 'fake-timers')
  const api = runner === 'vitest' ? 'vi' : 'jest'

  test(`${runner}: a test that leaves fake timers installed fails, at the line that installed them, with how many are pending`, () => {
    failed(run, 'leaves fake timers installed', new RegExp(`fake timers still installed \\(${api}\\.useFakeTimers\\(\\), 1 fake timer pending\\), created at \\S*left-installed\\.test\\.js:4:10\\n\\s+Hint: restore the real timers before the test ends`))
    // Its fake setTimeout is not a real timer: one finding, not two.
    assert.match(run.tests.get('leaves fake timers installed').message, /left 1 async resource/)
    // Disposed of: the next tests run on real timers, and async-debug's settling did not stall.
    passed(run, 'runs after them')
    assert.equal(run.timedOut, false, run.output)
  })

  test(`${runner}: a real interval created before fake timers is still a leak`, () => {
    failed(run, 'leaks a real interval under fake timers', /left 1 async resource[\s\S]*setInterval every 1000 ms, created at \S*left-installed\.test\.js:8:16/)
  })

  test(`${runner}: fake timers restored in afterEach, with or without pending timers, are clean`, () => {
    passed(run, 'uses fake timers and restores them in afterEach')
    passed(run, 'leaves a fake timer pending, dropped by useRealTimers')
    passed(run, 'real timers again')
  })

  test(`${runner}: fake timers left installed by beforeEach with nothing pending pass, and stay installed`, () => {
    passed(run, 'ticks a fake clock installed by its beforeEach')
    passed(run, 'runs all timers of the clock again')
  })

  test(`${runner}: fake timers installed in beforeAll belong to the suite, not to its tests`, () => {
    passed(run, 'runs under the suite clock')
    passed(run, 'runs under the forgotten clock')
    passed(run, 'runs after both suites')
    const suiteError = /suite "suite that never restores the clock" left 1 async resource alive after its afterAll hooks:\s+1\. fake timers still installed \((?:vi|jest)\.useFakeTimers\(\), 1 fake timer pending\)/
    if (runner === 'vitest') assert.match(run.output, suiteError)
    else assert.ok(run.fileErrors.some((m) => suiteError.test(m)), run.output)
    assert.doesNotMatch(run.output, /suite "fake clock for the whole suite" left/)
  })
}

for (const runner of runners) {
  const run = runShared(runner, 'fake-timers', { files: ['suite.test.js'] })
  const api = runner === 'vitest' ? 'vi' : 'jest'

  test(`${runner}: fake timers a test leaves pending under the clock of its suite's beforeAll fail that test, not the next, and the clock stays the suite's`, () => {
    failed(run, 'leaves a fake timer pending under the suite clock', new RegExp(`1 fake timer left pending under the fake timers that suite "fake clock for the whole suite" installed \\(${api}\\.useFakeTimers\\(\\)\\), created at \\S*suite\\.test\\.js:4:12\\n\\s+Hint: [^\\n]*runOnlyPendingTimers\\(\\) or clearAllTimers\\(\\)`))
    assert.doesNotMatch(run.tests.get('leaves a fake timer pending under the suite clock').message, /disposed of/)
    passed(run, 'runs under the suite clock after it')
    passed(run, 'runs under the suite clock')
  })
}

for (const runner of runners) {
  const run = runShared(runner, 'fake-timers', { files: ['reinstalled.test.js'] })
  const api = runner === 'vitest' ? 'vi' : 'jest'

  test(`${runner}: fake timers a test installs again over the file's fail it for what they leave pending, which is dropped, and the file's clock stays`, () => {
    failed(run, 'installs fake timers again and leaves one pending', new RegExp(`left 1 async resource[\\s\\S]*1 fake timer left pending under the fake timers it installed again \\(${api}\\.useFakeTimers\\(\\)\\), created at \\S*reinstalled\\.test\\.js:6:10`))
    // Not the file's pending timer nor its clock: the next tests see neither the dropped timer nor real timers.
    passed(run, 'installs them again and runs what it set')
    passed(run, 'runs the file clock after them')
  })
}

test("jest: under fakeTimers.enableGlobally, a test that installs fake timers again owns what it leaves pending", onlyFor('jest'), () => {
  const run = runJest('shared/fake-timers', { files: ['reinstalled.test.js'], config: { fakeTimers: { enableGlobally: true } } })
  failed(run, 'installs fake timers again and leaves one pending', /1 fake timer left pending under the fake timers it installed again \(jest\.useFakeTimers\(\)\)/)
  passed(run, 'installs them again and runs what it set')
  passed(run, 'runs the file clock after them')
})
