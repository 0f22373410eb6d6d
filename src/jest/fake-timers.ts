import type { JestEnvironment } from '@jest/environment'
import type { Engine } from '../core/engine.js'
import type { FakeClock } from '../core/fake-timers.js'

/** What we read of @jest/fake-timers' two implementations, both with a `_fakingTime` flag. */
interface JestTimers {
  _fakingTime?: boolean
  getTimerCount(): number
  clearAllTimers(): void
  useRealTimers(): void
}

/**
 * Makes `jest.useFakeTimers()`, modern or legacy, a resource of the test or hook that calls it:
 * jest-runtime calls it on the environment's own instances. Returns a function that undoes it.
 */
export function watchFakeTimers(environment: JestEnvironment, engine: Engine): () => void {
  const undo = [environment.fakeTimersModern, environment.fakeTimers].map((timers) => {
    if (!timers) return () => {}
    const jestTimers = timers as unknown as JestTimers
    const clock: FakeClock = {
      api: 'jest',
      installed: () => jestTimers._fakingTime === true,
      pending: () => jestTimers.getTimerCount(),
      restore: () => jestTimers.useRealTimers(),
      clear: () => jestTimers.clearAllTimers(),
    }
    return engine.watchFakeTimers(timers, clock)
  })
  return () => undo.forEach((fn) => fn())
}
