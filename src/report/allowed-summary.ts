/**
 * What a scope was allowed to leave alive, and why: a test allowed to leak (`allowTests`,
 * `allowLeaks()`), or what `allowPending()` or an `ignore` rule let pass. The run's summary lists it.
 */
export interface AllowedLeak {
  /** The test file, as the runner names it. */
  file: string
  /** The scope, as reports name it, e.g. `test "vendor SDK > connects"`. */
  scope: string
  /** The reason given, e.g. `allowTests: vendor issue #123` or `ignore.types: file-handle`. */
  reason: string
  /** The numbered list of what it left alive, each with where it was created. */
  leaks: string
}

/** The summary printed at the end of a run: everything that was allowed to stay alive, so that none of it is forgotten. */
export function allowedSummary(entries: readonly AllowedLeak[]): string {
  const lines = [`async-debug: allowed to stay alive or reported only, not failed (allowTests, allowLeaks(), allowPending(), ignore, failOn), in ${entries.length} ${entries.length === 1 ? 'place' : 'places'}:`]
  for (const { file, scope, reason, leaks } of entries) lines.push('', `  ${file}: ${scope}`, `  ${reason}`, leaks.replace(/^/gm, '  '))
  return lines.join('\n')
}
