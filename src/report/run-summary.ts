import { BASELINE_VARIABLE } from './baseline.js'
import { plural } from './descriptions.js'
import type { Outcome, RunRecord } from './run-records.js'

// The test, describe block, file or fixture that a record is of. Only a fixed record, never
// counted here, may lack its scope's kind (see RunRecord).
function scopeOfRecord(record: RunRecord): { key: string; word: string } {
  const word = record.scopeKind === 'suite' ? 'describe block' : (record.scopeKind ?? 'scope')
  return { key: `${record.file}\n${record.scope}`, word }
}

/** Whether a record is of a test. */
export const ofTest = (record: RunRecord): boolean => scopeOfRecord(record).word === 'test'

/**
 * The summary printed at the end of a run: counts by kind, the tests and other scopes failed, the
 * files with most, baseline entries fixed, and everything that did not fail (what a baseline let
 * pass aside), with why. A run that found nothing says so, so that a CI log shows it ran.
 */
export function runSummary(records: readonly RunRecord[]): string {
  if (records.length === 0) return 'async-debug: nothing found'
  const count = (outcome: Outcome): number => records.filter((r) => r.outcome === outcome).reduce((n, r) => n + r.findings.length, 0)
  const failedKinds = new Map<RunRecord['kind'], number>()
  const perFile = new Map<string, number>()
  const failedScopes = new Map<string, Set<string>>()
  for (const r of records) {
    // A note on a failed test (kind interference) is not a finding of the file's.
    if (r.outcome === 'fixed' || r.outcome === 'noted') continue
    perFile.set(r.file, (perFile.get(r.file) ?? 0) + r.findings.length)
    if (r.outcome !== 'failed') continue
    failedKinds.set(r.kind, (failedKinds.get(r.kind) ?? 0) + r.findings.length)
    const { key, word } = scopeOfRecord(r)
    failedScopes.set(word, (failedScopes.get(word) ?? new Set()).add(key))
  }
  const kinds = [...failedKinds].map(([kind, n]) => `${kind} ${n}`).join(', ')
  const order = ['test', 'describe block', 'fixture', 'file']
  const rank = (word: string): number => (order.includes(word) ? order.indexOf(word) : order.length)
  const scopes = [...failedScopes]
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([word, keys]) => plural(keys.size, word))
    .join(', ')
  const top = [...perFile].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([file, n]) => `${file} (${n})`).join(', ')
  const baseline = records.filter((r) => r.outcome === 'allowed' && r.reason?.startsWith('baseline')).reduce((n, r) => n + r.findings.length, 0)
  const failed = count('failed')
  const lines = [
    `async-debug: ${failed === 0 ? '0 failed' : `${plural(failed, 'finding')} failed ${scopes} (${kinds})`}, ${count('reported')} reported only, ${count('allowed')} allowed${baseline ? ` (${baseline} by the baseline)` : ''}${top ? `; most in ${top}` : ''}`,
  ]
  const fixed = records.filter((r) => r.outcome === 'fixed')
  if (fixed.length > 0) {
    lines.push(`async-debug: fixed since the baseline: ${count('fixed')}; run with ${BASELINE_VARIABLE}=update to shrink the baseline:`)
    for (const { file, scope, text } of fixed) lines.push(`  ${file}: ${scope}`, text.replace(/^/gm, '  '))
  }
  const passed = records.filter((r) => r.outcome === 'reported' || (r.outcome === 'allowed' && !r.reason?.startsWith('baseline')))
  if (passed.length > 0) {
    lines.push('', `async-debug: not failed: allowed (allowTests, allowLeaks(), allowPending(), ignore), reported only (failOn) or warned of, in ${plural(passed.length, 'place')}:`)
    for (const { file, scope, reason, text } of passed) lines.push('', `  ${file}: ${scope}`, `  ${reason}`, text.replace(/^/gm, '  '))
  }
  return lines.join('\n')
}
