import type { FailKind } from '../core/fail-on.js'
import { creationSite } from '../core/frames.js'
import type { Finding, ScopeKind } from '../core/scope.js'
import { describe } from './descriptions.js'

/**
 * What became of a finding: it failed its scope, was reported only (`failOn`), or was allowed; or,
 * for an entry of the baseline that this run did not find, fixed; or, for code of an ended test
 * that ran while a test that failed ran (kind `interference`), noted on that failure.
 */
export type Outcome = 'failed' | 'reported' | 'allowed' | 'fixed' | 'noted'

/** One thing found, as the run's records keep it: plain data, for the summary and the JSON report. */
export interface RecordedFinding {
  /** The resource type (`interval`, `socket`…) or the mistake (`unhandled-rejection`…). */
  type: string
  /** What it is, e.g. `setInterval every 1000 ms`, or the mistake's message. */
  description: string
  /** `file:line:column` of the user's line that made it, when known. */
  site?: string
}

/**
 * What one scope of a test file left or did, of one kind and outcome: what the run's summary and
 * its JSON report are made of. Workers record them; a summary reporter gathers them.
 */
export interface RunRecord {
  /** The test file, as the runner names it. */
  file: string
  /** The scope, as reports name it, e.g. `test "vendor SDK > connects"`. */
  scope: string
  /**
   * What the scope is: `test` (its beforeEach and afterEach runs included), `suite`, `file`,
   * `fixture` or `worker`. Absent only on a fixed entry of a baseline written before records had it.
   */
  scopeKind?: ScopeKind
  /** What `failOn` calls it; `interference` for a note on a failed test (see report/interference.ts), which fails nothing. */
  kind: FailKind | 'interference'
  outcome: Outcome
  /** Why it did not fail, e.g. `allowed: vendor issue #123`, `ignore.types: file-handle`. */
  reason?: string
  findings: RecordedFinding[]
  /** The numbered list of what was found, as printed, each with where it was created. */
  text: string
}

/** A record as judging a scope makes it: the file and the facts of the scope are added where it is kept. */
export type ScopeRecord = Omit<RunRecord, 'file' | 'scope' | 'scopeKind'>

/** What `record` says of its scope besides its title, for a record made from it (a baseline's entry, a fixed record). */
export const scopeFacts = ({ scopeKind }: Pick<RunRecord, 'scopeKind'>): Pick<RunRecord, 'scopeKind'> => (scopeKind === undefined ? {} : { scopeKind })

/** `findings` as records keep them. */
export const recorded = (findings: readonly Finding[]): RecordedFinding[] =>
  findings.map((finding) => {
    const { type, tracked } = finding
    const description = describe(finding)
    const site = creationSite(tracked.site)
    return site === undefined ? { type, description } : { type, description, site }
  })
