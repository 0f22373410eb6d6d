import type { vi as Vi } from 'vitest'
import type { Engine } from '../core/engine.js'
import type { FakeClock } from '../core/fake-timers.js'

/** Makes `vi.useFakeTimers()` a resource of the test or hook that calls it. Returns a function that undoes it. */
export function watchFakeTimers(vi: typeof Vi, engine: Engine): () => void {
  const clock: FakeClock = {
    api: 'vi',
    installed: () => vi.isFakeTimers(),
    pending: () => vi.getTimerCount(),
    restore: () => void vi.useRealTimers(),
    clear: () => void vi.clearAllTimers(),
  }
  return engine.watchFakeTimers(vi, clock)
}
