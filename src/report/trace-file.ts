import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, isAbsolute, join, resolve } from 'node:path'
import { htmlPage } from './html-page.js'
import { type RunnerResult, pageModel } from './page-model.js'
import { removeRunTempDir, runTempDir } from './run-temp-dir.js'
import { type TraceEvent, type TracePart, TraceRecorder, workerThreadId } from './trace.js'

/** Names the trace file to write, from the project's root, like the summary reporter's option `trace`. */
export const TRACE_VARIABLE = 'ASYNC_DEBUG_TRACE'
/** Names the page of the run to write, from the project's root, like the summary reporter's option `html`. */
export const HTML_VARIABLE = 'ASYNC_DEBUG_HTML'
// Set by the summary reporter in the main process, before it starts workers, which inherit it: where they leave their parts.
const PARTS_VARIABLE = 'ASYNC_DEBUG_TRACE_PARTS'
let written = 0

/** The trace file that `ASYNC_DEBUG_TRACE` names, if any; a value that is no file's name is an error naming the variable. */
export const traceFromEnv = (env: Record<string, string | undefined> = process.env): string | undefined => fileFromEnv(env, TRACE_VARIABLE, 'the trace file', 'trace.json')

/** The page that `ASYNC_DEBUG_HTML` names, if any; a value that is no file's name is an error naming the variable. */
export const htmlFromEnv = (env: Record<string, string | undefined> = process.env): string | undefined => fileFromEnv(env, HTML_VARIABLE, 'the page of the run', 'page.html')

function fileFromEnv(env: Record<string, string | undefined>, variable: string, what: string, example: string): string | undefined {
  const value = env[variable]?.trim()
  if (!value) return undefined
  if (/^(?:1|true|yes|on|0|false|no|off)$/i.test(value)) throw new TypeError(`async-debug: ${variable} names ${what} to write, e.g. ${variable}=${example}; got '${value}'`)
  return value
}

/** Makes the directory where workers leave their parts of the trace, for this process and its workers. */
export function openTrace(env: Record<string, string | undefined> = process.env): string {
  const dir = runTempDir('async-debug-trace-')
  env[PARTS_VARIABLE] = dir
  return dir
}

/**
 * A recorder for an engine of this worker, when the run is traced (the summary reporter asked for
 * a trace); none otherwise, so that an untraced run does no work for it.
 */
export const traceRecorder = (): TraceRecorder | undefined => (process.env[PARTS_VARIABLE] === undefined ? undefined : new TraceRecorder())

// Each recorder's part, by the name it is left under: left again as a run goes on, over the last.
const partNames = new WeakMap<TraceRecorder, string>()

/**
 * Leaves what `recorder` recorded so far for the summary reporter, over what it left before: Vitest
 * may end the run before it ends a worker's environment. Written whole under a name of its own,
 * then renamed, so that the reporter never reads half of it. Never throws: the trace is an extra.
 */
export function leaveTracePart(recorder: TraceRecorder | undefined): void {
  const dir = process.env[PARTS_VARIABLE]
  if (recorder === undefined || dir === undefined) return
  try {
    let name = partNames.get(recorder)
    if (name === undefined) partNames.set(recorder, (name = `${process.pid}-${workerThreadId()}-${++written}.json`))
    const part = join(dir, name)
    writeFileSync(`${part}.tmp`, JSON.stringify(recorder.part()))
    renameSync(`${part}.tmp`, part)
  } catch (error) {
    // The reporter has merged the parts, and removed where they go: the run is over.
    if ((error as { code?: unknown }).code === 'ENOENT' && !existsSync(dir)) return
    process.stderr.write(`async-debug: could not leave this worker's part of the trace: ${String(error)}\n`)
  }
}

/** Leaves what `recorder` recorded for the summary reporter (see leaveTracePart), and stops it. */
export function writeTracePart(recorder: TraceRecorder | undefined): void {
  recorder?.disable()
  leaveTracePart(recorder)
}

/** The parts' events in one trace: a process per worker, its tracks numbered anew, flow ids made unique, time from the first event. */
export function mergeTrace(parts: readonly TracePart[]): { traceEvents: TraceEvent[] } {
  const pids = new Map<string, number>()
  const tids = new Map<number, number>()
  const events: TraceEvent[] = []
  let flows = 0
  for (const { worker, events: own } of parts) {
    let pid = pids.get(worker)
    if (pid === undefined) {
      pids.set(worker, (pid = pids.size + 1))
      events.push({ name: 'process_name', ph: 'M', ts: 0, pid, tid: 0, args: { name: worker } })
      events.push({ name: 'process_sort_index', ph: 'M', ts: 0, pid, tid: 0, args: { sort_index: pid } })
    }
    const tidOf = new Map<number, number>()
    const idOf = new Map<number, number>()
    for (const event of own) {
      let tid = tidOf.get(event.tid)
      if (tid === undefined) {
        tid = (tids.get(pid) ?? 0) + 1
        tids.set(pid, tid)
        tidOf.set(event.tid, tid)
      }
      const merged: TraceEvent = { ...event, pid, tid }
      if (event.id !== undefined) {
        let id = idOf.get(event.id)
        if (id === undefined) idOf.set(event.id, (id = ++flows))
        merged.id = id
      }
      if (event.ph === 'M' && event.name === 'thread_sort_index') merged.args = { sort_index: tid }
      events.push(merged)
    }
  }
  // A loop, not Math.min(...ts): a large run's events outnumber what a call's arguments may be.
  const first = events.reduce((min, event) => (event.ph === 'M' ? min : Math.min(min, event.ts)), Number.POSITIVE_INFINITY)
  if (Number.isFinite(first)) for (const event of events) if (event.ph !== 'M') event.ts -= first
  // No displayTimeUnit: some viewers (Perfetto of 2021-2023) took it for the unit of every ts,
  // which the format says is microseconds; today's Perfetto ignores it.
  return { traceEvents: events }
}

/** What a traced run writes, from the project's root: the trace file (option `trace`), the page of the run (option `html`), or both. */
export interface TraceOutputs {
  trace?: string | undefined
  html?: string | undefined
}

/** What the page of a run shows besides the trace: its title, and what the runner said of each test. */
export interface PageInput {
  title: string
  results: readonly RunnerResult[]
}

/**
 * Several trace files in one, a sharded run's: each file's processes stay apart, named after the
 * file, and each file's time starts with the others'.
 */
export function mergeTraceFiles(files: readonly string[]): ReturnType<typeof mergeTrace> {
  const parts: TracePart[] = []
  for (const file of files) {
    const { traceEvents } = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents?: TraceEvent[] }
    if (!Array.isArray(traceEvents)) throw new TypeError(`${file} is no trace file: it has no traceEvents`)
    const names = new Map<number, string>()
    const byProcess = new Map<number, TraceEvent[]>()
    for (const event of traceEvents) {
      // A process's name and place are given anew to the merged one.
      if (event.ph === 'M' && event.name === 'process_name') names.set(event.pid, String(event.args?.['name']))
      if (event.ph === 'M' && (event.name === 'process_name' || event.name === 'process_sort_index')) continue
      const events = byProcess.get(event.pid)
      if (events) events.push(event)
      else byProcess.set(event.pid, [event])
    }
    for (const [pid, events] of byProcess) parts.push({ worker: `${basename(file)}: ${names.get(pid) ?? `process ${pid}`}`, events })
  }
  return mergeTrace(parts)
}

/**
 * Merges the parts that workers left in `dir` into the trace file and the page that `outputs` name
 * (resolved from `base`, the runner's root), and removes them, and `dir` unless `more` runs will
 * leave parts there (watch mode). Returns the lines that say where each went, or why it could not
 * be written: the trace and the page are extras, which must not fail the run.
 */
export function finishTrace(dir: string, outputs: TraceOutputs, base: string, page: PageInput, more = false): string[] {
  const lines: string[] = []
  let names: string[] = []
  try {
    let merged: ReturnType<typeof mergeTrace>
    try {
      names = readdirSync(dir).filter((name) => name.endsWith('.json')).sort()
      merged = mergeTrace(names.map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as TracePart))
    } catch (error) {
      for (const [what, file] of outputsOf(outputs, base)) lines.push(`async-debug: could not write ${what} to ${file}: ${String(error)}`)
      return lines
    }
    for (const [what, path] of outputsOf(outputs, base))
      try {
        mkdirSync(dirname(path), { recursive: true })
        if (what === 'the trace') {
          writeFileSync(path, JSON.stringify(merged))
          lines.push(`async-debug: trace written to ${path} (open it in ui.perfetto.dev)`)
        } else {
          writeFileSync(path, htmlPage(pageModel(merged.traceEvents, page.results, page.title)))
          lines.push(`async-debug: page of the run written to ${path} (open it in a browser)`)
        }
      } catch (error) {
        lines.push(`async-debug: could not write ${what} to ${path}: ${String(error)}`)
      }
    return lines
  } finally {
    if (more) for (const name of names) rmSync(join(dir, name), { force: true })
    else removeRunTempDir(dir)
  }
}

// Each output asked for, as [what it is, its path].
const outputsOf = ({ trace, html }: TraceOutputs, base: string): ['the trace' | 'the page of the run', string][] => [
  ...(trace === undefined ? [] : [['the trace', isAbsolute(trace) ? trace : resolve(base, trace)] as ['the trace', string]]),
  ...(html === undefined ? [] : [['the page of the run', isAbsolute(html) ? html : resolve(base, html)] as ['the page of the run', string]]),
]
