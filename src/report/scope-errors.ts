import type { Scope } from '../core/scope.js'
import type { Finding, Mistake } from '../core/tracked.js'
import { AsyncTaskError } from './async-errors.js'
import { AsyncHangError } from './hang-error.js'
import { floatingWarning } from './floating-warnings.js'
import { leakError, listFindings } from './leak-error.js'

/** How an adapter wants a judged scope reported. */
export interface Reporting {
  /** Whether what was found has been disposed of (the `dispose` option). */
  disposed: boolean
  /** Mistakes that the runner reports itself, and that must not be reported twice. */
  reportedByRunner?: (mistake: Mistake) => boolean
  /** Prints a report next to the scope's results: what an allowed test left alive. */
  print: (message: string) => void
  /** Told of what was allowed to stay alive, by `reason`, for the run's summary. */
  onAllowed?: (scope: Scope, reason: string, leaks: string) => void
  /** The creation lines of the floating calls warned of so far (see floating-warnings.ts). */
  warned: Set<string>
}

/**
 * What fails a judged scope: one error listing its leaks, then one per async mistake charged to
 * it, except those the runner reports itself. The leaks of a test allowed to leak (`allowTests`,
 * `allowLeaks()`) are printed, with the reason, instead of failing it. A test that timed out
 * (`waitingOn`: what it waited on, asked before it was judged) gets an AsyncHangError instead of
 * the list of what it left alive, which names the same resources.
 */
export function scopeErrors(
  scope: Scope,
  findings: readonly Finding[],
  { disposed, reportedByRunner = () => false, print, onAllowed, warned }: Reporting,
  waitingOn?: readonly Finding[],
): Error[] {
  const errors: Error[] = scope.mistakes.filter((mistake) => !reportedByRunner(mistake)).map((mistake) => new AsyncTaskError(mistake))
  // What allowPending() and ignore rules let pass goes to the summary only: beside the test it is noise.
  const byReason = new Map<string, Finding[]>()
  for (const { reason, finding } of scope.excused) byReason.set(reason, [...(byReason.get(reason) ?? []), finding])
  for (const [reason, group] of byReason) onAllowed?.(scope, reason, listFindings(group))
  const warning = floatingWarning(scope, warned)
  if (warning !== undefined) {
    print(warning)
    onAllowed?.(scope, 'warning: never awaited, still pending', listFindings(scope.warnings))
  }
  if (scope.allowed !== undefined && findings.length > 0) {
    print(`async-debug: allowed (${scope.allowed}), not failed: ${leakError(scope, findings, disposed).message}`)
    onAllowed?.(scope, `allowed: ${scope.allowed}`, listFindings(findings))
  } else if (waitingOn === undefined && findings.length > 0) errors.unshift(leakError(scope, findings, disposed))
  if (waitingOn !== undefined) errors.unshift(new AsyncHangError(scope, waitingOn))
  return errors
}
