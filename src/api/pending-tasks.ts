import { type PendingTask, formatTasks, pendingTasks } from '../report/pending-tasks.js'
import { type ScopeChoice, runningScope } from './engine-access.js'

export type { PendingTask }

/** Options of {@link getPendingTasks} and {@link dumpPendingTasks}. */
export interface PendingTasksOptions {
  /** Whose tasks: the running `test` (default), its enclosing `suite`, or the `file`. */
  scope?: ScopeChoice
}

/**
 * What the running test (or the given scope) has pending right now, innermost first, like
 * asyncio's `all_tasks()`: its live timers and handles, then its pending promises that have a
 * creation stack, including the ones it is awaiting. Needs the `async-debug` test environment.
 *
 * @example
 * ```ts
 * import { getPendingTasks } from 'async-debug'
 *
 * test('starts one poller', () => {
 *   startPoller()
 *   expect(getPendingTasks().filter((task) => task.kind === 'timer')).toHaveLength(1)
 * })
 * ```
 */
export function getPendingTasks(options: PendingTasksOptions = {}): PendingTask[] {
  const { engine, scope } = runningScope('getPendingTasks', options)
  return pendingTasks(engine.waitingOn(scope), performance.now())
}

/**
 * Prints what the running test (or the given scope) has pending right now, each with its creation
 * stack, like asyncio's `task.print_stack()`; the runner shows it next to the test.
 *
 * @example
 * ```ts
 * import { dumpPendingTasks } from 'async-debug'
 *
 * test('settles', async () => {
 *   const done = startSync()
 *   dumpPendingTasks() // what is it still doing?
 *   await done
 * })
 * ```
 */
export function dumpPendingTasks(options: PendingTasksOptions = {}): void {
  const { engine, scope } = runningScope('dumpPendingTasks', options)
  console.error(formatTasks(`async-debug: ${scope.title}`, pendingTasks(engine.waitingOn(scope), performance.now())))
}
