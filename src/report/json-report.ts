import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, resolve, sep } from 'node:path'
import { BASELINE_VARIABLE, type BaselineEntry, fromRoot } from './baseline.js'
import { type RunRecord, scopeFacts } from './run-records.js'
import { htmlFromEnv, traceFromEnv } from './trace-file.js'

/** The JSON report's format; raised when a field changes meaning or goes. */
export const JSON_REPORT_VERSION = 1

/** What the summary reporters take as options (the second element of their `reporters` entry). */
export interface SummaryReporterOptions {
  /**
   * Where to write the JSON report of every finding, from the project's root; none by default.
   * The environment variable `ASYNC_DEBUG_REPORT=<file>` sets it too, for a CI job's command line.
   */
  outputFile?: string
  /**
   * Where to write a timeline of the run in Chrome's trace-event format, from the project's root,
   * which Perfetto (ui.perfetto.dev) opens (and older Chromes' chrome://tracing); none by default. The environment
   * variable `ASYNC_DEBUG_TRACE=<file>` sets it too.
   */
  trace?: string
  /**
   * Where to write the page of the run, from the project's root: one self-contained HTML file
   * (nothing fetched) that draws each test file's tests on a time axis and the resources that
   * outlived their test across the tests they ran into; none by default. It is drawn from the
   * same timeline as `trace`, which it records without writing the trace file. The environment
   * variable `ASYNC_DEBUG_HTML=<file>` sets it too.
   */
  html?: string
}

const REPORT_VARIABLE = 'ASYNC_DEBUG_REPORT'
const examples = { outputFile: 'async-debug.json', trace: 'trace.json', html: 'async-debug.html' }

/** Validates the reporter's options; `where` names the reporter for the message. */
export function reporterOptions(options: unknown, where: string, env: Record<string, string | undefined> = process.env): SummaryReporterOptions {
  const trace = traceFromEnv(env)
  const html = htmlFromEnv(env)
  const fromEnv = { ...(env[REPORT_VARIABLE]?.trim() ? { outputFile: env[REPORT_VARIABLE]!.trim() } : {}), ...(trace === undefined ? {} : { trace }), ...(html === undefined ? {} : { html }) }
  if (options === undefined || options === null) return fromEnv
  if (typeof options !== 'object' || Array.isArray(options)) throw new TypeError(`${where}: expected options like { outputFile: 'async-debug.json' }, got ${String(options)}`)
  const { outputFile, trace: traceOption, html: htmlOption, ...rest } = options as Record<string, unknown>
  const unknown = Object.keys(rest)
  if (unknown.length > 0) throw new TypeError(`${where}: unknown option \`${unknown[0]}\`; known: outputFile, trace, html`)
  for (const [name, value] of [['outputFile', outputFile], ['trace', traceOption], ['html', htmlOption]] as const)
    if (value !== undefined && (typeof value !== 'string' || value === '')) throw new TypeError(`${where}: option \`${name}\` must be a file path, from the project's root, e.g. { ${name}: '${examples[name]}' }, got ${String(value)}`)
  return {
    ...fromEnv,
    ...(outputFile === undefined ? {} : { outputFile: outputFile as string }),
    ...(traceOption === undefined ? {} : { trace: traceOption as string }),
    ...(htmlOption === undefined ? {} : { html: htmlOption as string }),
  }
}

/**
 * Writes the run's records as JSON: `{ asyncDebug: 1, root, records: RunRecord[] }`, each record one
 * scope's findings of one kind and outcome (see RunRecord), `root` the folder the runner ran in,
 * which a baseline's sites are read relative to. A relative `outputFile` is resolved from `base`
 * (the runner's root option). Returns the path written.
 */
export function writeJsonReport(records: readonly RunRecord[], outputFile: string, base: string): string {
  const path = isAbsolute(outputFile) ? outputFile : resolve(base, outputFile)
  writeJson(path, { asyncDebug: JSON_REPORT_VERSION, root: process.cwd(), records })
  return path
}

/**
 * With `ASYNC_DEBUG_BASELINE=update`, writes the run's records to the baseline file that the
 * environment options name (`baseline`), and says so; otherwise does nothing. Each shard of a
 * sharded run would write its own part over the others': update the baseline unsharded.
 */
export function updateBaseline(records: readonly RunRecord[], environmentOptions: unknown, log: (line: string) => void, env: Record<string, string | undefined> = process.env): void {
  if (env[BASELINE_VARIABLE] !== 'update') return
  const options = environmentOptions as { asyncDebug?: { baseline?: unknown }; 'async-debug'?: { baseline?: unknown } } | undefined
  const path = options?.asyncDebug?.baseline ?? options?.['async-debug']?.baseline
  if (typeof path !== 'string') return log(`async-debug: ${BASELINE_VARIABLE}=update, but no \`baseline\` option names the file to write`)
  // What fails without the baseline, its paths relative to the folder the runner runs in, where its workers read it.
  const root = process.cwd()
  const listed = records.filter((record) => record.outcome === 'allowed' && record.reason?.startsWith('baseline')).map((record) => baselineEntry(record, root))
  const written = resolve(root, path)
  writeJson(written, { asyncDebug: JSON_REPORT_VERSION, records: listed })
  const findings = listed.reduce((n, record) => n + record.findings.length, 0)
  log(`async-debug: baseline written to ${written}: ${findings} ${findings === 1 ? 'finding' : 'findings'}`)
}

// A record as a baseline lists it: without what became of it in the update run, paths relative to `root`.
function baselineEntry(record: RunRecord, root: string): BaselineEntry {
  const { file, scope, kind, findings, text } = record
  const prefix = `${root}${sep}`
  return {
    file: fromRoot(file, root),
    scope,
    ...scopeFacts(record),
    kind,
    findings: findings.map((finding) => (finding.site === undefined ? finding : { ...finding, site: fromRoot(finding.site, root) })),
    text: text.split(prefix).join(''),
  }
}

function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`)
}
