/** What a test allowed to leak (`allowTests`, `allowLeaks()`) left alive: what the run's summary lists. */
export interface AllowedLeak {
  /** The test file, as the runner names it. */
  file: string
  /** The test's full name, e.g. `vendor SDK > connects`. */
  test: string
  reason: string
  /** The numbered list of what it left alive, each with where it was created. */
  leaks: string
}

/** The summary printed at the end of a run: every leak that was allowed, so that none is forgotten. */
export function allowedSummary(entries: readonly AllowedLeak[]): string {
  const count = entries.length === 1 ? '1 test was' : `${entries.length} tests were`
  const lines = [`async-debug: ${count} allowed to leave async resources alive (allowTests, allowLeaks()):`]
  for (const { file, test, reason, leaks } of entries) lines.push('', `  ${file} > ${test}`, `  allowed: ${reason}`, leaks.replace(/^/gm, '  '))
  return lines.join('\n')
}
