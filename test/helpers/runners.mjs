// The shared fixtures (test/fixtures/shared, ESM) run the same way under either runner.
import { runJest } from './run-jest.mjs'
import { runVitest } from './run-vitest.mjs'

export const runners = ['vitest', 'jest']

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
