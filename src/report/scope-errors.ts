import type { Scope } from '../core/scope.js'
import type { Finding, Mistake } from '../core/tracked.js'
import { AsyncTaskError } from './async-errors.js'
import { leakError } from './leak-error.js'

/**
 * What fails a judged scope: one error listing its leaks, then one per async mistake charged to
 * it, except those the runner reports itself (`reportedByRunner`).
 */
export function scopeErrors(scope: Scope, findings: readonly Finding[], disposed: boolean, reportedByRunner: (mistake: Mistake) => boolean = () => false): Error[] {
  const errors: Error[] = scope.mistakes.filter((mistake) => !reportedByRunner(mistake)).map((mistake) => new AsyncTaskError(mistake))
  if (findings.length > 0) errors.unshift(leakError(scope, findings, disposed))
  return errors
}
