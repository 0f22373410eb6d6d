import { relative } from 'node:path'
import type { Reporter, TestModule, Vitest } from 'vitest/node'
import { type SummaryReporterOptions, reporterOptions, updateBaseline, writeJsonReport } from '../report/json-report.js'
import { githubAnnotations } from '../report/github-annotations.js'
import type { RunRecord } from '../report/run-records.js'
import { type RunnerResult, firstLines } from '../report/page-model.js'
import { finishTrace, openTrace } from '../report/trace-file.js'
import { ofTest, runSummary } from '../report/run-summary.js'

/**
 * A Vitest reporter that ends the run with a summary of what async-debug found: counts by kind,
 * the files with the most, and everything that did not fail, with why (`allowTests`,
 * `allowLeaks()`, `allowPending()`, `ignore`, `failOn`), so that none of it is forgotten. With
 * `outputFile`, it also writes every finding as JSON; with `trace`, a timeline of the run; with
 * `html`, a page that draws it. Add it beside your reporters.
 *
 * @example
 * ```ts
 * // vitest.config.ts
 * export default defineConfig({
 *   test: { environment: 'async-debug', reporters: ['default', ['async-debug/vitest/reporter', { outputFile: 'async-debug.json' }]] },
 * })
 * ```
 */
export default class AsyncDebugSummaryReporter implements Reporter {
  #vitest: Vitest | undefined
  readonly #options: SummaryReporterOptions

  // Where workers leave their parts of the trace, when one (or the page drawn from it) is asked for: made before Vitest starts them, which inherit it.
  readonly #traceParts: string | undefined

  constructor(options?: SummaryReporterOptions) {
    this.#options = reporterOptions(options, 'async-debug/vitest/reporter')
    this.#traceParts = this.#options.trace === undefined && this.#options.html === undefined ? undefined : openTrace()
  }

  onInit(vitest: Vitest): void {
    this.#vitest = vitest
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const records: RunRecord[] = []
    for (const module of testModules)
      for (const task of [module, ...module.children.allSuites(), ...module.children.allTests()])
        records.push(...((task.meta() as { asyncDebug?: { records?: RunRecord[] } }).asyncDebug?.records ?? []))
    const root = this.#vitest?.config.root ?? process.cwd()
    // On stderr, as Jest's reporters write: a JSON reporter may have stdout to itself (no outputFile).
    this.#vitest?.logger.error(`\n${runSummary(records)}\n`)
    // Vitest's github-actions reporter annotates every failed test, suite and file itself, and,
    // when it runs, what did not fail a test: the worker noted that on the test (annotations.ts).
    const githubReporter = this.#vitest?.config.reporters.some((reporter) => (Array.isArray(reporter) ? reporter[0] : reporter) === 'github-actions') ?? false
    const byRunner = (record: RunRecord): boolean => record.outcome === 'failed' || (githubReporter && record.outcome !== 'fixed' && ofTest(record))
    for (const line of githubAnnotations(records, byRunner)) process.stdout.write(`${line}\n`)
    if (this.#options.outputFile !== undefined) writeJsonReport(records, this.#options.outputFile, root)
    updateBaseline(records, this.#vitest?.config.environmentOptions, (line) => this.#vitest?.logger.error(line))
    if (this.#traceParts !== undefined) {
      const page = { title: `async-debug: Vitest run of ${root}`, results: runnerResults(testModules) }
      for (const line of finishTrace(this.#traceParts, this.#options, root, page, this.#vitest?.config.watch === true)) this.#vitest?.logger.error(line)
    }
  }
}

// What Vitest said of each test, its file named as the worker's file scope is: from the folder Vitest runs in.
function runnerResults(testModules: ReadonlyArray<TestModule>): RunnerResult[] {
  return testModules.flatMap((module) =>
    [...module.children.allTests()].map((test) => {
      const result = test.result()
      return { file: relative(process.cwd(), module.moduleId), name: test.fullName, failed: result.state === 'failed', errors: firstLines((result.errors ?? []).map((error) => error.message)) }
    }),
  )
}
