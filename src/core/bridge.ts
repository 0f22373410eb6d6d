import type { Engine } from './engine.js'

// Runners load test code in another module graph (Vitest) or vm realm (Jest): the API finds the
// engine through the test's global object, never through a shared module instance.
const KEY = Symbol.for('async-debug.engine')

/** Makes `engine` reachable from code whose global object is `global`. */
export function installEngine(global: object, engine: Engine): void {
  Object.defineProperty(global, KEY, { value: engine, configurable: true, enumerable: false, writable: false })
}

export function uninstallEngine(global: object): void {
  delete (global as Record<symbol, unknown>)[KEY]
}

/** The engine serving code whose global object is `global`, if a runner adapter installed one. */
export function engineOf(global: object = globalThis): Engine | undefined {
  return (global as Record<symbol, Engine | undefined>)[KEY]
}
