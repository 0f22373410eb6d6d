import { engineOf } from '../core/bridge.js'
import type { Scope } from '../core/scope.js'
import { AsyncLeakError, listFindings } from '../report/leak-error.js'

/** Options of {@link expectNoPendingTasks}. */
export interface ExpectNoPendingTasksOptions {
  /**
   * Whose resources to check: the current `test` (default), its enclosing `suite`, or the `file`
   * (resources created at import time or in a top-level beforeAll).
   */
  scope?: 'test' | 'suite' | 'file'
}

const scopes = ['test', 'suite', 'file']

/**
 * Throws an AsyncLeakError listing the timers, sockets, servers, child processes, watchers,
 * file handles and workers that the current test (or the given scope) has pending right now.
 * Promises are left out: while the test runs, its own are still in flight.
 * Needs the `async-debug` test environment.
 *
 * @example
 * ```ts
 * import { expectNoPendingTasks } from 'async-debug'
 *
 * test('stops the poller', async () => {
 *   const poller = startPoller()
 *   await poller.stop()
 *   expectNoPendingTasks()
 * })
 * ```
 */
export function expectNoPendingTasks(options: ExpectNoPendingTasksOptions = {}): void {
  if (typeof options !== 'object' || options === null) throw new TypeError(`expectNoPendingTasks: expected an options object, got ${String(options)}`)
  const wanted = options.scope ?? 'test'
  if (!scopes.includes(wanted)) throw new TypeError(`expectNoPendingTasks: option \`scope\` must be one of ${scopes.join(', ')}, got '${String(wanted)}'`)
  const engine = engineOf()
  if (!engine)
    throw new Error(
      "expectNoPendingTasks() needs the async-debug test environment: set `environment: 'async-debug'` (Vitest) or `testEnvironment: 'async-debug'` (Jest)",
    )
  let scope: Scope | undefined = engine.current()
  while (scope && scope.kind !== wanted && !(wanted === 'suite' && scope.kind === 'file')) scope = scope.parent
  if (!scope) throw new Error(`expectNoPendingTasks: no ${wanted} is running here`)
  // The test's own promises are in flight while it runs; they are judged when it ends.
  const findings = engine.pending(scope, { promises: false })
  if (findings.length === 0) return
  const count = findings.length === 1 ? '1 pending async resource' : `${findings.length} pending async resources`
  throw new AsyncLeakError(`${scope.title} has ${count}:\n\n${listFindings(findings)}`, findings)
}
