import { test } from 'node:test'
import { failed, passed } from './helpers/expect-results.mjs'
import { runVitest } from './helpers/run-vitest.mjs'
import { onlyFor, runShared, runners } from './helpers/runners.mjs'

// Vitest's `retry` option and Jest's jest.retryTimes(): each attempt is judged on its own.
for (const runner of runners) {
  const run = runShared(runner, 'retries')

  test(`${runner}: a leak fails the attempt that made it, and a clean retry passes`, () => {
    passed(run, 'leaks in its first attempt only')
    passed(run, 'fails and leaks in its first attempt')
  })

  test(`${runner}: a leak in every attempt fails the test`, () => {
    failed(run, 'leaks in every attempt', /test "leaks in every attempt" left 1 async resource[\s\S]*setInterval every 2000 ms, created at \S*retries\.test\.js:19:3/)
  })
}

// Vitest only: Jest has no repeats.
test('vitest: each repetition of a repeated test is judged on its own', onlyFor('vitest'), () => {
  const repeated = runVitest('vitest/repeats')
  failed(repeated, 'leaks in its first repetition, clears it in the second', /left 1 async resource[\s\S]*setInterval every 1000 ms, created at \S*repeats\.test\.js:5:16/)
  passed(repeated, 'repeats cleanly')
})
