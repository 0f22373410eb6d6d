import { engineOf } from '../core/bridge.js'
import type { Engine } from '../core/engine.js'
import type { Scope } from '../core/scope.js'

// What every API function checks of its arguments and of where it runs, with its own name in the message.

/** Which scope an API call is about: the running test, its enclosing suite, or its file. */
export type ScopeChoice = 'test' | 'suite' | 'file'

const choices: readonly ScopeChoice[] = ['test', 'suite', 'file']

/** The engine serving the calling test, or an error saying how to turn it on. */
export function engineFor(api: string): Engine {
  const engine = engineOf()
  if (!engine)
    throw new Error(`${api}() needs the async-debug test environment: set \`environment: 'async-debug'\` (Vitest) or \`testEnvironment: 'async-debug'\` (Jest)`)
  return engine
}

/** Checks that `target` can be a promise, timer or handle. */
export function expectTarget(api: string, target: unknown): asserts target is object {
  if ((typeof target !== 'object' && typeof target !== 'function') || target === null)
    throw new TypeError(`${api}: expected a promise, timer or handle, got ${String(target)}`)
}

/** Checks that `value` is a non-empty string: a reason or a name, as `what` says. */
export function expectText(api: string, what: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.trim() === '') throw new TypeError(`${api}: expected ${what}, as a non-empty string`)
}

/**
 * The engine and the scope that `api` is asked about, from the options object it was given.
 */
export function runningScope(api: string, options: unknown): { engine: Engine; scope: Scope } {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${api}: expected an options object, got ${String(options)}`)
  const wanted = (options as { scope?: unknown }).scope ?? 'test'
  if (!choices.includes(wanted as ScopeChoice)) throw new TypeError(`${api}: option \`scope\` must be one of ${choices.join(', ')}, got '${String(wanted)}'`)
  const engine = engineFor(api)
  let scope = engine.current()
  // A hook's part of a test answers for the test; a top-level beforeAll's suite is the file.
  while (scope && scope.kind !== wanted && !(wanted === 'suite' && scope.kind === 'file')) scope = scope.parent
  if (!scope) throw new Error(`${api}: no ${wanted} is running here`)
  return { engine, scope }
}
