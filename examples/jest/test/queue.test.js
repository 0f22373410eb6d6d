import { describe, expect, it } from '@jest/globals'
import { createQueue } from 'async-debug-example-app/queue'

describe('queue', () => {
  it('retries a job that failed once', async () => {
    let attempts = 0
    const queue = createQueue({ retryMs: 5 })
    const result = await queue.run(async () => {
      attempts += 1
      if (attempts === 1) throw new Error('flaky')
      return 'done'
    })
    expect([result, attempts]).toEqual(['done', 2])
  })

  it('leaks: a retry scheduled by a job the test does not wait for', (done) => {
    // deliberate leak: retryLater() floats a promise whose retry timer outlives the test
    createQueue({ retryMs: 500 }).retryLater(() => Promise.reject(new Error('flaky')))
    done()
  })
})
