import { describe, expect, it } from '@jest/globals'
import { createCache } from 'async-debug-example-app/cache'

describe('cache', () => {
  it('forgets entries after their time to live', async () => {
    const cache = createCache({ ttlMs: 5, sweepMs: 2 })
    cache.set('session', 'abc')
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(cache.get('session')).toBeUndefined()
    cache.close()
  })

  it('leaks: a cache created per test and never closed', () => {
    // deliberate leak: createCache() starts a setInterval that nobody clears
    expect(createCache().get('missing')).toBeUndefined()
  })
})
