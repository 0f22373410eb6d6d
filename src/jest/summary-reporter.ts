import { relative } from 'node:path'
import { type SummaryReporterOptions, reporterOptions, updateBaseline, writeJsonReport } from '../report/json-report.js'
import { githubAnnotations } from '../report/github-annotations.js'
import { runSummary } from '../report/run-summary.js'
import { type RunnerResult, firstLines } from '../report/page-model.js'
import { finishTrace, openTrace } from '../report/trace-file.js'
import { openRecords, readRecords } from './worker-records.js'

/** What Jest's onTestResult is given of a test file's run, as far as the page reads it. */
interface JestFileResult {
  testFilePath: string
  testResults: { ancestorTitles: string[]; title: string; status: string; failureMessages: string[] }[]
}

/**
 * A Jest reporter that ends the run with a summary of what async-debug found: counts by kind, the
 * files with the most, and everything that did not fail, with why (`allowTests`, `allowLeaks()`,
 * `allowPending()`, `ignore`, `failOn`), so that none of it is forgotten. With `outputFile`, it
 * also writes every finding as JSON; with `trace`, a timeline of the run; with `html`, a page that
 * draws it. Add it beside your reporters.
 *
 * @example
 * ```js
 * // jest.config.js
 * module.exports = { testEnvironment: 'async-debug', reporters: ['default', ['async-debug/jest/reporter', { outputFile: 'async-debug.json' }]] }
 * ```
 */
export default class AsyncDebugSummaryReporter {
  // Made before Jest starts its workers, so that they inherit where to leave their records; once the options are known good.
  readonly #dir: string
  readonly #options: SummaryReporterOptions
  readonly #root: string
  // The project's environment options, from the first test file's result: the global config has none.
  #environmentOptions: unknown

  // Where workers leave their parts of the trace, when one (or the page drawn from it) is asked for: made before they start, too.
  readonly #traceParts: string | undefined
  // What Jest said of each test, for the page.
  readonly #results: RunnerResult[] = []

  constructor(globalConfig?: { rootDir?: string }, options?: SummaryReporterOptions) {
    this.#options = reporterOptions(options, 'async-debug/jest/reporter')
    this.#dir = openRecords()
    this.#root = globalConfig?.rootDir ?? process.cwd()
    this.#traceParts = this.#options.trace === undefined && this.#options.html === undefined ? undefined : openTrace()
  }

  onTestResult(test: { context?: { config?: { testEnvironmentOptions?: unknown; rootDir?: string } } }, result?: JestFileResult): void {
    this.#environmentOptions ??= test.context?.config?.testEnvironmentOptions
    if (this.#traceParts === undefined || result === undefined) return
    // The file as the worker's file scope names it: from its project's root.
    const file = relative(test.context?.config?.rootDir ?? this.#root, result.testFilePath)
    for (const { ancestorTitles, title, status, failureMessages } of result.testResults)
      this.#results.push({ file, name: [...ancestorTitles, title].join(' > '), failed: status === 'failed', errors: firstLines(failureMessages) })
  }

  onRunComplete(): void {
    const records = readRecords(this.#dir)
    process.stderr.write(`\n${runSummary(records)}\n\n`)
    // Jest's github-actions reporter annotates failed tests only: a describe block's or a file's failure is ours to annotate.
    for (const line of githubAnnotations(records, (record) => record.outcome === 'failed' && record.scopeKind !== 'suite' && record.scopeKind !== 'file')) process.stdout.write(`${line}\n`)
    if (this.#options.outputFile !== undefined) writeJsonReport(records, this.#options.outputFile, this.#root)
    updateBaseline(records, this.#environmentOptions, (line) => process.stderr.write(`${line}\n`))
    if (this.#traceParts !== undefined) for (const line of finishTrace(this.#traceParts, this.#options, this.#root, { title: `async-debug: Jest run of ${this.#root}`, results: this.#results })) process.stderr.write(`${line}\n`)
  }

  getLastError(): undefined {
    return undefined
  }
}
