import type { RunnerTestCase } from 'vitest'
import type { RunRecord } from '../report/run-records.js'

/** An annotation as @vitest/runner 3.2 to 5 take it (TestAnnotation). */
interface Annotation {
  message: string
  type: string
  location?: { file: string; line: number; column: number }
}

/** The runner method that `context.annotate` ends in; Vitest's worker sends what it is given to the reporters. */
export interface Annotating {
  onTestAnnotate?(test: RunnerTestCase, annotation: Annotation): Promise<Annotation>
}

const SITE = /^(.*):(\d+):(\d+)$/

/**
 * Notes what a test left or did that did not fail it (reported only, allowed, a slow callback) on
 * the test, as Vitest's test annotations, each at the line that made it: the verbose, JUnit, HTML
 * and github-actions reporters show them. Not `context.annotate`, which takes its location from
 * its caller and refuses a test whose result is set.
 */
export function annotate(runner: Annotating | undefined, test: RunnerTestCase, record: RunRecord): void {
  if (!runner?.onTestAnnotate) return
  for (const finding of record.findings) {
    const [, file, line, column] = SITE.exec(finding.site ?? '') ?? []
    const annotation: Annotation = {
      type: 'warning',
      message: `async-debug: ${finding.description}${record.reason ? ` (${record.reason})` : ''}`,
      ...(file === undefined ? {} : { location: { file, line: Number(line), column: Number(column) } }),
    }
    // An extra: a note that could not be sent must not fail the test.
    runner.onTestAnnotate(test, annotation).then(
      (resolved) => void test.annotations.push(resolved ?? annotation),
      () => {},
    )
  }
}
