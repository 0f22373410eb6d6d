import { afterEach, expect, test } from 'vitest'
import { createCache } from 'async-debug-example-app/cache'

let cache
afterEach(() => cache?.close())

test('returns what was set', () => {
  cache = createCache()
  cache.set('a', 1)
  expect(cache.get('a')).toBe(1)
})

test('leaks: a cache that is never closed keeps its sweep interval running', () => {
  // deliberate leak: createCache() starts a setInterval that nobody clears
  const forgotten = createCache({ sweepMs: 100 })
  forgotten.set('b', 2)
  expect(forgotten.get('b')).toBe(2)
})
