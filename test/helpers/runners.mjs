// The shared fixtures (test/fixtures/shared, ESM) run the same way under either runner.
import { runJest } from './run-jest.mjs'
import { runVitest } from './run-vitest.mjs'

// With another version of one runner selected (test/versions.mjs), only that runner's tests run.
const only = process.env.ASYNC_DEBUG_JEST ? ['jest'] : process.env.ASYNC_DEBUG_VITEST ? ['vitest'] : []
export const runners = only.length ? only : ['vitest', 'jest']

/** node:test options for a test of one runner's only: skipped when another runner's version is selected. */
export const onlyFor = (runner) => ({ skip: runners.includes(runner) ? false : `runs ${runner}, which is not selected` })

/**
 * Runs a shared fixture under `runner` with the one-line environment.
 * @param {'vitest' | 'jest'} runner
 * @param {string} fixture folder under test/fixtures/shared
 * @param {{ asyncDebug?: object, files?: string[], args?: { vitest?: string[], jest?: string[] } }} [options]
 *   `asyncDebug`: the environment's options; `args`: command-line arguments per runner.
 */
export function runShared(runner, fixture, { asyncDebug, files = [], args = {} } = {}) {
  const more = args[runner] ?? []
  if (runner === 'vitest') return runVitest(fixture, { files, args: more, test: asyncDebug === undefined ? {} : { environmentOptions: { asyncDebug } } })
  return runJest(`shared/${fixture}`, { files, args: more, config: asyncDebug === undefined ? {} : { testEnvironmentOptions: { asyncDebug } } })
}
