import type { FailKind } from '../core/fail-on.js'
import { BASELINE_VARIABLE } from './baseline.js'
import { creationSite } from '../core/frames.js'
import type { Finding } from '../core/tracked.js'

/**
 * What became of a finding: it failed its scope, was reported only (`failOn`), or was allowed; or,
 * for an entry of the baseline that this run did not find, fixed.
 */
export type Outcome = 'failed' | 'reported' | 'allowed' | 'fixed'

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
  kind: FailKind
  outcome: Outcome
  /** Why it did not fail, e.g. `allowed: vendor issue #123`, `ignore.types: file-handle`. */
  reason?: string
  findings: RecordedFinding[]
  /** The numbered list of what was found, as printed, each with where it was created. */
  text: string
}

/** `findings` as records keep them. */
export const recorded = (findings: readonly Finding[]): RecordedFinding[] =>
  findings.map(({ type, description, tracked }) => {
    const site = creationSite(tracked.site)
    return site === undefined ? { type, description } : { type, description, site }
  })

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/**
 * The summary printed at the end of a run: counts by kind, the files with most, baseline entries
 * fixed, and everything that did not fail (what a baseline let pass aside), with why.
 */
export function runSummary(records: readonly RunRecord[]): string | undefined {
  if (records.length === 0) return undefined
  const count = (outcome: Outcome): number => records.filter((r) => r.outcome === outcome).reduce((n, r) => n + r.findings.length, 0)
  const failedKinds = new Map<FailKind, number>()
  const perFile = new Map<string, number>()
  for (const r of records) {
    if (r.outcome === 'fixed') continue
    perFile.set(r.file, (perFile.get(r.file) ?? 0) + r.findings.length)
    if (r.outcome === 'failed') failedKinds.set(r.kind, (failedKinds.get(r.kind) ?? 0) + r.findings.length)
  }
  const kinds = [...failedKinds].map(([kind, n]) => `${kind} ${n}`).join(', ')
  const top = [...perFile].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([file, n]) => `${file} (${n})`).join(', ')
  const baseline = records.filter((r) => r.outcome === 'allowed' && r.reason?.startsWith('baseline')).reduce((n, r) => n + r.findings.length, 0)
  const fixed = count('fixed')
  const lines = [
    `async-debug: ${count('failed')} failed${kinds ? ` (${kinds})` : ''}, ${count('reported')} reported only, ${count('allowed')} allowed${baseline ? ` (${baseline} by the baseline)` : ''}${top ? `; most in ${top}` : ''}`,
  ]
  if (fixed > 0) lines.push(`async-debug: fixed since the baseline: ${fixed}; run with ${BASELINE_VARIABLE}=update to shrink the baseline`)
  const passed = records.filter((r) => r.outcome === 'reported' || (r.outcome === 'allowed' && !r.reason?.startsWith('baseline')))
  if (passed.length > 0) {
    lines.push('', `async-debug: allowed to stay alive or reported only, not failed (allowTests, allowLeaks(), allowPending(), ignore, failOn), in ${plural(passed.length, 'place')}:`)
    for (const { file, scope, reason, text } of passed) lines.push('', `  ${file}: ${scope}`, `  ${reason}`, text.replace(/^/gm, '  '))
  }
  return lines.join('\n')
}
