import { engineFor, expectTarget, expectText } from './engine-access.js'

/**
 * Gives a promise, timer or handle a name that every report of it uses (leaks, hangs,
 * `getPendingTasks()`), like asyncio's task names. Needs the `async-debug` test environment.
 *
 * @param target the promise, timer, server, socket, child process, watcher, file handle or worker.
 * @param name how reports call it.
 * @returns `target`, so that the call can wrap the expression that creates it.
 *
 * @example
 * ```ts
 * import { nameTask } from 'async-debug'
 *
 * const poller = nameTask(setInterval(poll, 1000), 'inbox poller')
 * // a leak then reads: 1. "inbox poller": setInterval every 1000 ms, created at …
 * ```
 */
export function nameTask<T extends object>(target: T, name: string): T {
  expectTarget('nameTask', target)
  expectText('nameTask', 'a name', name)
  engineFor('nameTask').name(target, name)
  return target
}
