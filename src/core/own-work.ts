import { setImmediate } from './real-timers.js'

/** Whether async-debug is making an async resource of its own right now: no scope owns it. */
export let makingOwn = false

/** Makes an async resource of async-debug's own: no scope owns it, and it costs no creation stack. */
export function makeOwn<R>(make: () => R): R {
  makingOwn = true
  try {
    return make()
  } finally {
    makingOwn = false
  }
}

/** Runs `fn` in the next turn of the event loop, on an Immediate that no scope owns and that keeps the process from exiting for nothing. */
export function nextTurn(fn: () => void): void {
  makeOwn(() => setImmediate(fn).unref())
}
