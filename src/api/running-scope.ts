import { engineOf } from '../core/bridge.js'
import type { Engine } from '../core/engine.js'
import type { Scope } from '../core/scope.js'

/** Which scope an API call is about: the running test, its enclosing suite, or its file. */
export type ScopeChoice = 'test' | 'suite' | 'file'

const choices: readonly ScopeChoice[] = ['test', 'suite', 'file']

/**
 * The engine and the scope that `api` (a function's name, for messages) is asked about, from
 * the options object it was given.
 */
export function runningScope(api: string, options: unknown): { engine: Engine; scope: Scope } {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${api}: expected an options object, got ${String(options)}`)
  const wanted = (options as { scope?: unknown }).scope ?? 'test'
  if (!choices.includes(wanted as ScopeChoice)) throw new TypeError(`${api}: option \`scope\` must be one of ${choices.join(', ')}, got '${String(wanted)}'`)
  const engine = engineOf()
  if (!engine)
    throw new Error(`${api}() needs the async-debug test environment: set \`environment: 'async-debug'\` (Vitest) or \`testEnvironment: 'async-debug'\` (Jest)`)
  let scope = engine.current()
  // A hook's part of a test answers for the test; a top-level beforeAll's suite is the file.
  while (scope && scope.kind !== wanted && !(wanted === 'suite' && scope.kind === 'file')) scope = scope.parent
  if (!scope) throw new Error(`${api}: no ${wanted} is running here`)
  return { engine, scope }
}
