import { type FailKind, failKindOfMistake, failKindOfType } from '../core/fail-on.js'
import { creationSite } from '../core/frames.js'
import { type Finding, type Mistake, type Scope, testScope } from '../core/scope.js'
import { AsyncTaskError } from './async-errors.js'
import { AsyncHangError } from './hang-error.js'
import { describe } from './descriptions.js'
import { floatingWarning } from './floating-warnings.js'
import { slowCallbackMessage } from './slow-callback.js'
import { noteImported } from './imported-note.js'
import { leakError, listFindings } from './leak-error.js'
import type { Rerun } from './rerun.js'
import type { FileBaseline } from './baseline.js'
import { type Outcome, type RecordedFinding, type ScopeRecord, recorded } from './run-records.js'

/** How an adapter wants a judged scope reported. */
export interface Reporting {
  /** Whether what was found has been disposed of (the `dispose` option). */
  disposed: boolean
  /** Mistakes that the runner reports itself, and that must not be reported twice. */
  reportedByRunner?: (mistake: Mistake) => boolean
  /** Prints a report next to the scope's results: what an allowed test left alive. */
  print: (message: string) => void
  /** Told of everything found, failed or not, for the run's summary and JSON report. */
  onRecord?: (scope: Scope, record: ScopeRecord) => void
  /** The creation lines of the floating calls warned of so far (see floating-warnings.ts). */
  warned: Set<string>
  /** Fails a test that has ended with `errors`, where the runner can still change its result. */
  failEnded?: (test: Scope, errors: Error[]) => boolean
  /** The kinds of finding that fail (the option `failOn`); the others are printed and summarized. */
  failOn: ReadonlySet<FailKind>
  /** What the baseline of the scope's file lets pass (the option `baseline`). */
  baseline?: FileBaseline | undefined
  /** How to rerun the test of a scope in the debugger, which each failure says last. */
  rerun?: (scope: Scope) => Rerun | undefined
}

/** A mistake as the run's records keep it, of its kind, outcome aside: `error` is what reports it. */
export function mistakeRecord(mistake: Mistake, error: Error): { kind: FailKind; findings: RecordedFinding[]; text: string } {
  return { kind: failKindOfMistake(mistake.kind), findings: [{ type: mistake.kind, description: error.message.split('\n')[0]! }], text: `    ${error.message}` }
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
  { disposed, reportedByRunner = () => false, print, onRecord, warned, failEnded, failOn, baseline, rerun = () => undefined }: Reporting,
  waitingOn?: readonly Finding[],
  awaitsDone = false,
): Error[] {
  // Findings of one scope, outcome and reason, recorded by kind.
  const record = (owner: Scope, outcome: Outcome, group: readonly Finding[], reason?: string): void => {
    for (const kind of new Set(group.map((finding) => failKindOfType(finding.type)))) {
      const ofKind = group.filter((finding) => failKindOfType(finding.type) === kind)
      onRecord?.(owner, { kind, outcome, ...(reason ? { reason } : {}), findings: recorded(ofKind), text: listFindings(ofKind) })
    }
  }
  const reportOnly = (owner: Scope, group: readonly Finding[], when?: string): void => {
    print(`async-debug: reported, not failed (failOn): ${leakError(owner, group, disposed, when).message}`)
    record(owner, 'reported', group, `reported only: failOn leaves out ${[...new Set(group.map((finding) => failKindOfType(finding.type)))].join(', ')}`)
  }
  const errors: Error[] = []
  for (const mistake of scope.mistakes) {
    const error = new AsyncTaskError(mistake, rerun(scope))
    const entry = mistakeRecord(mistake, error)
    const { kind } = entry
    if (reportedByRunner(mistake)) {
      // The runner fails the test itself, whatever failOn and the baseline say; taken from the
      // baseline all the same, so that its entry is not counted as fixed.
      baseline?.take(scope.title, kind, entry.findings[0]!)
      onRecord?.(scope, { ...entry, outcome: 'failed' })
    } else if (mistake.reportOnly) {
      print(`async-debug: reported, not failed (failOn): ${error.message}`)
      onRecord?.(scope, { ...entry, outcome: 'reported', reason: `reported only: failOn leaves out ${kind}` })
    } else if (baseline?.take(scope.title, kind, entry.findings[0]!)) onRecord?.(scope, { ...entry, outcome: 'allowed', reason: baseline.reason })
    else {
      errors.push(error)
      onRecord?.(scope, { ...entry, outcome: 'failed' })
    }
  }
  const fails = (finding: Finding): boolean => failOn.has(failKindOfType(finding.type))
  // Of what fails `owner`, what the baseline lists is recorded as allowed; the rest is returned.
  const beyondBaseline = (owner: Scope, group: readonly Finding[]): Finding[] => {
    if (!baseline) return [...group]
    const listed = group.filter((finding) => baseline.take(owner.title, failKindOfType(finding.type), recorded([finding])[0]!))
    if (listed.length > 0) record(owner, 'allowed', listed, baseline.reason)
    return group.filter((finding) => !listed.includes(finding))
  }
  // What allowPending() and ignore rules let pass goes to the summary only: beside the test it is noise.
  const byReason = new Map<string, Finding[]>()
  for (const { reason, finding, imported } of scope.excused) {
    byReason.set(reason, [...(byReason.get(reason) ?? []), finding])
    if (imported) noteImported(describe(finding), imported)
  }
  for (const [reason, group] of byReason) record(scope, 'allowed', group, reason)
  // Printed next to the scope as they happened; recorded once it is judged.
  for (const slow of scope.slow.splice(0)) {
    const site = creationSite(slow.site)
    onRecord?.(scope, {
      kind: 'slow-callbacks',
      outcome: 'reported',
      reason: 'reported only: failOn leaves out slow-callbacks',
      findings: [{ type: 'slow-callback', description: slowCallbackMessage(slow), ...(site === undefined ? {} : { site }) }],
      text: `    ${slowCallbackMessage(slow)}${site === undefined ? '' : `, created at ${site}`}`,
    })
  }
  const warning = floatingWarning(scope, warned)
  if (warning !== undefined) {
    print(warning)
    record(scope, 'reported', scope.warnings, 'warning: never awaited, still pending')
  }
  const own = findings.filter((finding) => !finding.held)
  const reported = own.filter((finding) => !fails(finding))
  const failing = scope.leaksAllowed === undefined ? beyondBaseline(scope, own.filter(fails)) : own.filter(fails)
  if (scope.leaksAllowed !== undefined && own.length > 0) {
    print(`async-debug: allowed (${scope.leaksAllowed}), not failed: ${leakError(scope, own, disposed).message}`)
    record(scope, 'allowed', own, `allowed: ${scope.leaksAllowed}`)
  } else {
    if (waitingOn === undefined && failing.length > 0) {
      errors.unshift(leakError(scope, failing, disposed, undefined, rerun(scope)))
      record(scope, 'failed', failing)
    }
    if (reported.length > 0) reportOnly(scope, reported)
  }
  // What its tests left for it to close, and it did not: each test's failure, or else its own.
  for (const [test, left] of byTest(findings.filter((finding) => finding.held))) {
    const why = `that the afterAll hooks of ${scope.title} did not close either (async-debug waited for them)`
    const quiet = left.filter((finding) => !fails(finding))
    if (quiet.length > 0) reportOnly(test, quiet, why)
    const loud = beyondBaseline(test, left.filter(fails))
    if (loud.length === 0) continue
    const error = leakError(test, loud, disposed, why, rerun(test))
    record(test, 'failed', loud)
    if (!failEnded?.(test, [error])) errors.push(error)
  }
  if (waitingOn !== undefined) errors.unshift(new AsyncHangError(scope, waitingOn, awaitsDone, rerun(scope)))
  return errors
}

// Findings by the test whose code (or whose beforeEach or afterEach) created them.
function byTest(findings: readonly Finding[]): Map<Scope, Finding[]> {
  const tests = new Map<Scope, Finding[]>()
  for (const finding of findings) {
    const test = testScope(finding.tracked.owner)
    tests.set(test, [...(tests.get(test) ?? []), finding])
  }
  return tests
}
