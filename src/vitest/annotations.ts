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
  // Findings alike (two timers of one line) make one note, counted.
  const alike = new Map<string, { site: string | undefined; description: string; count: number }>()
  for (const { site, description } of record.findings) {
    const key = `${site}\n${description}`
    const entry = alike.get(key)
    if (entry) entry.count++
    else alike.set(key, { site, description, count: 1 })
  }
  for (const { site, description, count } of alike.values()) {
    const [, file, line, column] = SITE.exec(site ?? '') ?? []
    const annotation: Annotation = {
      type: 'warning',
      message: `async-debug: ${count > 1 ? `${count} × ` : ''}${description}${record.reason ? ` (${record.reason})` : ''}`,
      ...(file === undefined ? {} : { location: { file, line: Number(line), column: Number(column) } }),
    }
    // An extra: a note that could not be sent must not fail the test.
    runner.onTestAnnotate(test, annotation).then(
      (resolved) => void test.annotations.push(resolved ?? annotation),
      () => {},
    )
  }
}
