import { resolve } from 'node:path'
import type { RunRecord } from './run-records.js'

// Workflow commands take their message with %, CR and LF escaped, and properties with : and , too.
const escapeData = (text: string): string => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
const escapeProperty = (text: string): string => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')

/**
 * GitHub Actions annotations for the run's records, at the line that made each finding: an error
 * for what failed, a warning for what did not (reported only, allowed, a baseline entry fixed),
 * except what `byRunner` says the runner's own reporter annotates. Empty outside GitHub Actions
 * (`GITHUB_ACTIONS=true`).
 */
export function githubAnnotations(records: readonly RunRecord[], byRunner: (record: RunRecord) => boolean, env: Record<string, string | undefined> = process.env): string[] {
  if (env.GITHUB_ACTIONS !== 'true') return []
  const lines: string[] = []
  for (const record of records) {
    if (byRunner(record)) continue
    const level = record.outcome === 'failed' ? 'error' : 'warning'
    for (const finding of record.findings) {
      const [, path, line, column] = /^(.*):(\d+):(\d+)$/.exec(finding.site ?? '') ?? []
      // Absolute, as the runners' own reporters write it: GitHub reads a relative path from the
      // repository's root, which is not where a monorepo's package runs its tests.
      const where = path === undefined ? `file=${escapeProperty(resolve(record.file))}` : `file=${escapeProperty(resolve(path))},line=${line},col=${column}`
      const title = `async-debug: ${record.kind}${record.outcome === 'failed' ? '' : `, ${record.outcome}`}`
      lines.push(`::${level} ${where},title=${escapeProperty(title)}::${escapeData(`${record.scope}: ${finding.description}${record.reason ? ` (${record.reason})` : ''}`)}`)
    }
  }
  return lines
}
