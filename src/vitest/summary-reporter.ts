import type { Reporter, TestModule, Vitest } from 'vitest/node'
import { type AllowedLeak, allowedSummary } from '../report/allowed-summary.js'

/**
 * A Vitest reporter that ends the run with a summary of everything that was allowed to stay alive
 * (`allowTests`, `allowLeaks()`, `allowPending()`, `ignore`), so that none of it is forgotten.
 * Add it beside your reporters.
 *
 * @example
 * ```ts
 * // vitest.config.ts
 * export default defineConfig({
 *   test: { environment: 'async-debug', reporters: ['default', 'async-debug/vitest/reporter'] },
 * })
 * ```
 */
export default class AsyncDebugSummaryReporter implements Reporter {
  #vitest: Vitest | undefined

  onInit(vitest: Vitest): void {
    this.#vitest = vitest
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const allowed: AllowedLeak[] = []
    for (const module of testModules)
      for (const task of [module, ...module.children.allSuites(), ...module.children.allTests()])
        allowed.push(...((task.meta() as { asyncDebug?: { allowed?: AllowedLeak[] } }).asyncDebug?.allowed ?? []))
    // On stderr, as Jest's reporters write: a JSON reporter may have stdout to itself (no outputFile).
    if (allowed.length > 0) this.#vitest?.logger.error(`\n${allowedSummary(allowed)}\n`)
  }
}
