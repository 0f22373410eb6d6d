import { engineFor, expectTarget, expectText } from './engine-access.js'

/**
 * Declares that a promise, timer or handle created by the current test may outlive it, such as
 * a module-level deferred or a server meant to serve the whole file: async-debug does not report
 * or dispose of it. Needs the `async-debug` test environment.
 *
 * @param target the promise, timer, server, socket, child process, watcher, file handle or worker.
 * @param reason why it may stay pending; shown when async-debug lists what was allowed.
 * @returns `target`, so that the call can wrap the expression that creates it.
 *
 * @example
 * ```ts
 * import { allowPending } from 'async-debug'
 *
 * const ready = allowPending(new Promise((resolve) => (markReady = resolve)), 'resolved by the first request')
 * ```
 */
export function allowPending<T extends object>(target: T, reason: string): T {
  expectTarget('allowPending', target)
  expectText('allowPending', 'a reason', reason)
  engineFor('allowPending').allowPending(target, reason)
  return target
}
