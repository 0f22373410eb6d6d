import { type SummaryReporterOptions, reporterOptions, updateBaseline, writeJsonReport } from '../report/json-report.js'
import { githubAnnotations } from '../report/github-annotations.js'
import { runSummary } from '../report/run-summary.js'
import { finishTrace, openTrace } from '../report/trace-file.js'
import { openRecords, readRecords } from './worker-records.js'

/**
 * A Jest reporter that ends the run with a summary of what async-debug found: counts by kind, the
 * files with the most, and everything that did not fail, with why (`allowTests`, `allowLeaks()`,
 * `allowPending()`, `ignore`, `failOn`), so that none of it is forgotten. With `outputFile`, it
 * also writes every finding as JSON; with `trace`, a timeline of the run. Add it beside your reporters.
 *
 * @example
 * ```js
 * // jest.config.js
 * module.exports = { testEnvironment: 'async-debug', reporters: ['default', ['async-debug/jest/reporter', { outputFile: 'async-debug.json' }]] }
 * ```
 */
export default class AsyncDebugSummaryReporter {
  // Made before Jest starts its workers, so that they inherit where to leave their records.
  readonly #dir = openRecords()
  readonly #options: SummaryReporterOptions
  readonly #root: string
  // The project's environment options, from the first test file's result: the global config has none.
  #environmentOptions: unknown

  // Where workers leave their parts of the trace, when one is asked for: made before they start, too.
  readonly #traceParts: string | undefined

  constructor(globalConfig?: { rootDir?: string }, options?: SummaryReporterOptions) {
    this.#options = reporterOptions(options, 'async-debug/jest/reporter')
    this.#root = globalConfig?.rootDir ?? process.cwd()
    this.#traceParts = this.#options.trace === undefined ? undefined : openTrace()
  }

  onTestResult(test: { context?: { config?: { testEnvironmentOptions?: unknown } } }): void {
    this.#environmentOptions ??= test.context?.config?.testEnvironmentOptions
  }

  onRunComplete(): void {
    const records = readRecords(this.#dir)
    process.stderr.write(`\n${runSummary(records)}\n\n`)
    // Jest's github-actions reporter annotates failed tests only: a describe block's or a file's failure is ours to annotate.
    for (const line of githubAnnotations(records, (record) => record.outcome === 'failed' && record.scopeKind !== 'suite' && record.scopeKind !== 'file')) process.stdout.write(`${line}\n`)
    if (this.#options.outputFile !== undefined) writeJsonReport(records, this.#options.outputFile, this.#root)
    updateBaseline(records, this.#environmentOptions, (line) => process.stderr.write(`${line}\n`))
    if (this.#traceParts !== undefined) process.stderr.write(`${finishTrace(this.#traceParts, this.#options.trace!, this.#root)}\n`)
  }

  getLastError(): undefined {
    return undefined
  }
}
