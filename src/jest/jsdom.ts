import { createRequire } from 'node:module'
import type { EnvironmentClass } from './environment.js'
import { withAsyncDebug } from './environment.js'

// jest-environment-jsdom is an optional peer: only this entry needs it, and a missing one gets one
// clear error. Resolved from here, as Jest resolves environments next to their package.
function jsdomEnvironment(): EnvironmentClass {
  try {
    return (createRequire(import.meta.url)('jest-environment-jsdom') as { TestEnvironment: EnvironmentClass }).TestEnvironment
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND' || !String((error as Error).message).includes("'jest-environment-jsdom'")) throw error
    throw new Error(
      "async-debug: `testEnvironment: 'async-debug/jsdom'` runs the tests in jest-environment-jsdom, which is not installed: `npm install --save-dev jest-environment-jsdom` (the version of your Jest)",
    )
  }
}

/**
 * The Jest environment `async-debug/jsdom`: jest-environment-jsdom with async-debug's per-test
 * checks. Options are read from `testEnvironmentOptions.asyncDebug`; jsdom's own, such as `url`,
 * from `testEnvironmentOptions` as jest-environment-jsdom reads them.
 *
 * @example
 * ```js
 * // jest.config.js
 * module.exports = { testEnvironment: 'async-debug/jsdom' }
 * ```
 */
export const TestEnvironment = withAsyncDebug(jsdomEnvironment())
export default TestEnvironment
