import { expectText, runningScope } from './engine-access.js'

/**
 * Lets the running test leave async resources alive, for code you cannot fix: what it leaves is
 * printed next to it as allowed, with `reason`, and disposed of, instead of failing it. Async
 * mistakes (unhandled rejections, warnings…) still fail it. To allow tests by name from the
 * config instead, see the `allowTests` option. Needs the `async-debug` test environment.
 *
 * @param reason why its leaks are allowed; printed with them.
 *
 * @example
 * ```ts
 * import { allowLeaks } from 'async-debug'
 *
 * test('connects through the vendor SDK', async () => {
 *   allowLeaks('the SDK keeps its socket open until the process exits; vendor issue #123')
 *   await sdk.connect()
 * })
 * ```
 */
export function allowLeaks(reason: string): void {
  expectText('allowLeaks', 'a reason', reason)
  runningScope('allowLeaks', {}).scope.leaksAllowed = reason
}
