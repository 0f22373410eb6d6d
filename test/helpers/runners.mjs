// The shared fixtures (test/fixtures/shared, ESM) run the same way under either runner.
import { runJest } from './run-jest.mjs'
import { runVitest, vitestMajor } from './run-vitest.mjs'

// With another version of one runner selected (test/versions.mjs), only that runner's tests run.
const only = process.env.ASYNC_DEBUG_JEST ? ['jest'] : process.env.ASYNC_DEBUG_VITEST ? ['vitest'] : []
export const runners = only.length ? only : ['vitest', 'jest']

/** node:test options for a test of one runner's only: skipped when another runner's version is selected. */
export const onlyFor = (runner) => ({ skip: runners.includes(runner) ? false : `runs ${runner}, which is not selected` })

/**
 * The column that `runner` reports for a call of the imported function `name` written at `column`
 * (the column of the name). Vitest 3.2 compiles `once(bus)` to `(0, __vi_import_0__.once)(bus)`,
 * which V8 places at the parenthesis of its arguments, and its source maps carry that over: the
 * line is the same, the column is the one after the name.
 */
export const importedCallColumn = (runner, column, name) => (runner === 'vitest' && vitestMajor === 3 ? column + name.length : column)

/** The command-line arguments that add the summary reporter beside each runner's default one. */
export const summaryReporter = { vitest: ['--reporter=default', '--reporter=async-debug/vitest/reporter'], jest: ['--reporters=default', '--reporters=async-debug/jest/reporter'] }

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

/** Runs `run` with the environment variables `variables` set, for the runner it spawns; unsets them after. */
export function withEnv(variables, run) {
  Object.assign(process.env, variables)
  try {
    return run()
  } finally {
    for (const name of Object.keys(variables)) delete process.env[name]
  }
}
