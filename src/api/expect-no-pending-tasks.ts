import { AsyncLeakError, listFindings } from '../report/leak-error.js'
import { type ScopeChoice, runningScope } from './engine-access.js'

/** Options of {@link expectNoPendingTasks}. */
export interface ExpectNoPendingTasksOptions {
  /**
   * Whose resources to check: the current `test` (default), its enclosing `suite`, or the `file`
   * (resources created at import time or in a top-level beforeAll).
   */
  scope?: ScopeChoice
}

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
  const { engine, scope } = runningScope('expectNoPendingTasks', options)
  // The test's own promises are in flight while it runs; they are judged when it ends.
  const findings = engine.liveHandles(scope)
  if (findings.length === 0) return
  const count = findings.length === 1 ? '1 pending async resource' : `${findings.length} pending async resources`
  engine.reported(findings)
  throw new AsyncLeakError(`${scope.title} has ${count}:\n\n${listFindings(findings)}`, findings)
}
