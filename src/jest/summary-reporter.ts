import { allowedSummary } from '../report/allowed-summary.js'
import { openRecords, readRecords } from './allowed-records.js'

/**
 * A Jest reporter that ends the run with a summary of everything that was allowed to stay alive
 * (`allowTests`, `allowLeaks()`, `allowPending()`, `ignore`), so that none of it is forgotten.
 * Add it beside your reporters.
 *
 * @example
 * ```js
 * // jest.config.js
 * module.exports = { testEnvironment: 'async-debug', reporters: ['default', 'async-debug/jest/reporter'] }
 * ```
 */
export default class AsyncDebugSummaryReporter {
  // Made before Jest starts its workers, so that they inherit where to leave their records.
  readonly #dir = openRecords()

  onRunComplete(): void {
    const allowed = readRecords(this.#dir)
    if (allowed.length > 0) process.stderr.write(`\n${allowedSummary(allowed)}\n\n`)
  }

  getLastError(): undefined {
    return undefined
  }
}
