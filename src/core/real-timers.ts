import timers from 'node:timers'

// Taken when async-debug loads, before a test can install fake timers (Vitest's fake the globals,
// the timers module and performance.now): settling a scope and disposing of its timers need the real ones.
export const { setImmediate, setTimeout, setInterval, clearTimeout, clearImmediate, clearInterval } = { ...timers }
export const now = performance.now.bind(performance)
