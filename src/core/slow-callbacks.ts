import { type AsyncHook, createHook, executionAsyncResource } from 'node:async_hooks'
import { now } from './real-timers.js'

/** What the engine is told of a callback that blocked the event loop. */
export type OnSlow = (what: string, took: number) => void

// Where Node keeps the callback of each kind of timer; it calls it as a method of the timer.
const callbackKey: Record<string, '_onTimeout' | '_onImmediate' | undefined> = { Timeout: '_onTimeout', Immediate: '_onImmediate' }
const whatRan: Record<string, (resource: { _repeat?: unknown }) => string> = {
  Timeout: (timer) => (timer._repeat ? 'a setInterval callback' : 'a setTimeout callback'),
  Immediate: () => 'a setImmediate callback',
}

/**
 * Times each run of the callback of a timer or immediate that async_hooks just reported, and tells
 * `slow` of each run longer than `ms`: the culprit is then the resource, whose creation site is known.
 * Returns whether it did (other resources are left alone).
 * Done by wrapping the callback, because an async_hooks `before`/`after` pair would also run around
 * every promise continuation of the process (see timeAllCallbacks).
 */
export function timeCallback(asyncType: string, resource: object, ms: number, slow: OnSlow): boolean {
  const key = callbackKey[asyncType]
  if (key === undefined) return false
  const timer = resource as Record<string, unknown> & { _repeat?: unknown }
  const callback = timer[key]
  if (typeof callback !== 'function') return false
  timer[key] = function timed(this: unknown, ...args: unknown[]) {
    const started = now()
    try {
      return callback.apply(this, args)
    } finally {
      const took = now() - started
      if (took > ms) slow(whatRan[asyncType]!(timer), took)
    }
  }
  return true
}

/**
 * Times every callback that async_hooks reports, I/O callbacks and promise continuations included,
 * for the option `timeAllCallbacks`, and tells `slow` of each one longer than `ms` with the resource
 * it ran for. Opt-in: its before/after pair runs around every promise continuation of the process,
 * which costs promise-heavy code more. The returned hook is not enabled.
 */
export function timeAllCallbacks(ms: number, slow: (resource: object, took: number, started: number) => void): AsyncHook {
  const starts: number[] = []
  return createHook({
    before() {
      starts.push(now())
    },
    after() {
      // Unmatched when the hook was enabled inside a callback.
      const started = starts.pop()
      if (started === undefined) return
      const took = now() - started
      if (took > ms) slow(executionAsyncResource(), took, started)
    },
  })
}
