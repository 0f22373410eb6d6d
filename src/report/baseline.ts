import { readFileSync } from 'node:fs'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import type { FailKind } from '../core/fail-on.js'
import { type RecordedFinding, type RunRecord, scopeFacts } from './run-records.js'

/** Set to `update` to record a new baseline: nothing fails, and the summary reporter writes the run's findings. */
export const BASELINE_VARIABLE = 'ASYNC_DEBUG_BASELINE'

/** The findings that a baseline lets pass, in one test file. */
export interface FileBaseline {
  /** Whether the baseline lists this finding of `scope`; each entry lets one finding pass. */
  take(scope: string, kind: FailKind, finding: RecordedFinding): boolean
  /** What the baseline lists for the file and this run did not find: fixed, as records. */
  left(): RunRecord[]
  /** The reason recorded for what it lets pass. */
  readonly reason: string
}

/** One entry of a baseline file: a record of what failed when it was written, its paths relative to the folder the runner ran in. */
export type BaselineEntry = Omit<RunRecord, 'outcome' | 'reason'>

/** `path` relative to `root`, with `/` between folders, if it is absolute; else as it is. */
export const fromRoot = (path: string, root: string): string => (isAbsolute(path) ? relative(root, path).split(sep).join('/') : path)

// A finding's key: file, scope, kind, type and the file of its creation site, not its line and
// column, which unrelated edits shift. Paths are made relative to the folder the runner ran in
// (`root`), so that a baseline recorded in one checkout serves in another.
function keyOf(file: string, scope: string, kind: string, { type, site }: RecordedFinding, root: string): string {
  const path = site?.replace(/:\d+:\d+$/, '')
  return [fromRoot(file, root), scope, kind, type, path === undefined ? '' : fromRoot(path, root)].join('\n')
}

// What a baseline file lists: its entries; in a JSON report of an earlier version, what failed in
// its run or what an earlier baseline let pass.
const listed = (record: Partial<RunRecord>): boolean =>
  record.outcome === undefined || record.outcome === 'failed' || (record.outcome === 'allowed' && record.reason?.startsWith('baseline') === true)

/**
 * The baseline at `path` (a JSON report), for test file `file` as the records name it. A missing
 * file is an empty baseline; an unreadable one is an error naming the option.
 */
export function fileBaseline(path: string, file: string, root = process.cwd(), env: Record<string, string | undefined> = process.env): FileBaseline {
  if (env[BASELINE_VARIABLE] === 'update') return { take: () => true, left: () => [], reason: `baseline: being updated (${BASELINE_VARIABLE}=update)` }
  const counts = new Map<string, { record: BaselineEntry; finding: RecordedFinding; count: number }>()
  const baseline = readBaseline(path, root)
  const wanted = fromRoot(file, root)
  for (const record of baseline.records)
    if (fromRoot(record.file, baseline.root) === wanted && listed(record))
      for (const finding of record.findings) {
        const key = keyOf(record.file, record.scope, record.kind, finding, baseline.root)
        const entry = counts.get(key) ?? { record, finding, count: 0 }
        entry.count++
        counts.set(key, entry)
      }
  return {
    reason: `baseline: listed in ${path}`,
    take(scope, kind, finding) {
      const entry = counts.get(keyOf(file, scope, kind, finding, root))
      if (!entry || entry.count === 0) return false
      entry.count--
      return true
    },
    left: () =>
      [...counts.values()]
        .filter(({ count }) => count > 0)
        .map(({ record, finding, count }) => ({
          file,
          scope: record.scope,
          ...scopeFacts(record),
          kind: record.kind,
          outcome: 'fixed' as const,
          reason: `fixed: listed in ${path}, not found`,
          findings: Array.from({ length: count }, () => finding),
          text: `    ${finding.description}${finding.site ? `, created at ${finding.site}` : ''}`,
        })),
  }
}

// Read once per process: every file of a worker asks. `root`: the folder that the absolute paths of a
// JSON report used as a baseline are relative to; a baseline file's own paths are relative already.
const read = new Map<string, { records: BaselineEntry[]; root: string }>()
function readBaseline(path: string, root: string): { records: BaselineEntry[]; root: string } {
  const full = resolve(root, path)
  let baseline = read.get(full)
  if (baseline) return baseline
  let text: string
  try {
    text = readFileSync(full, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], root }
    throw error
  }
  const parsed = JSON.parse(text) as { asyncDebug?: unknown; root?: unknown; records?: unknown }
  if (parsed.asyncDebug !== 1 || !Array.isArray(parsed.records))
    throw new TypeError(`async-debug: the baseline ${full} is not a JSON report of async-debug's (the summary reporter's outputFile): it has no { asyncDebug: 1, records }`)
  baseline = { records: parsed.records as BaselineEntry[], root: typeof parsed.root === 'string' ? parsed.root : root }
  read.set(full, baseline)
  return baseline
}
