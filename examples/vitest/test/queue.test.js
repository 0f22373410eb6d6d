import { expect, test } from 'vitest'
import { createQueue } from 'async-debug-example-app/queue'

test('runs jobs with bounded concurrency', async () => {
  const queue = createQueue({ concurrency: 2 })
  const results = await Promise.all([1, 2, 3].map((n) => queue.run(async () => n * 2)))
  expect(results).toEqual([2, 4, 6])
})

test('leaks: a failing job retried after the test ended', () => {
  // deliberate leak: retryLater() floats a promise whose retry timer outlives the test
  createQueue({ retryMs: 200 }).retryLater(async () => {
    throw new Error('flaky')
  })
})
