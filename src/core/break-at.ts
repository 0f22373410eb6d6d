import { createRequire } from 'node:module'
import { dirname, isAbsolute, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { decodeMappings, inlineSourceMap } from './source-map.js'

/** The environment variable that names the creation lines to stop at in the debugger. */
export const BREAK_VARIABLE = 'ASYNC_DEBUG_BREAK'

/** A line to stop at: `file` as written (from the folder the runner runs in), `line` from 1. */
export interface BreakSite {
  readonly file: string
  readonly line: number
}

// `file:line`, or `file:line:column` as failures print a creation site; a Windows path keeps its drive's colon.
const SITE = /^(.+?):(\d+)(?::\d+)?$/

/**
 * The sites that `ASYNC_DEBUG_BREAK` names, comma-separated (`src/queue.js:8,src/pool.js:21`);
 * none when it is unset or empty. Throws one error naming the variable when it does not parse.
 */
export function breakSites(value: string | undefined): BreakSite[] {
  if (value === undefined || value.trim() === '') return []
  return value.split(',').map((part) => {
    const [, file, line] = SITE.exec(part.trim()) ?? []
    if (file === undefined || line === undefined || Number(line) < 1)
      throw new TypeError(`async-debug: environment variable ${BREAK_VARIABLE} must be file:line of a creation site, as a failure prints it (e.g. ${BREAK_VARIABLE}=src/queue.js:8), got ${JSON.stringify(value)}`)
    return { file, line: Number(line) }
  })
}

// The path of a module as the inspector names it: its path (Jest) or its file URL (Vitest), maybe with a query.
function pathOf(url: string): string {
  const bare = url.replace(/[?#].*$/, '')
  try {
    return (bare.startsWith('file:') ? fileURLToPath(bare) : bare).replaceAll('\\', '/')
  } catch {
    return bare
  }
}

// The first generated line (from 0) that maps to `line` of `path`, by the module's inline source map.
function generatedLine(sourceMapURL: string | undefined, path: string, line: number): number | undefined {
  const map = inlineSourceMap(sourceMapURL)
  if (map?.mappings === undefined) return undefined
  const sources = (map.sources ?? []).map((source) => pathOf(source.startsWith('file:') ? source : resolve(dirname(path), map.sourceRoot ?? '', source)))
  // A map of one source is the module's own, whatever it calls it.
  const own = (index: number): boolean => sources.length === 1 || sources[index] === path
  let first: number | undefined
  for (const mapping of decodeMappings(map.mappings)) if (mapping.originalLine === line && own(mapping.source) && (first === undefined || mapping.line < first)) first = mapping.line
  return first
}

// Called by the breakpoints' condition in the paused code's realm: whether a scope's code runs.
const IN_SCOPE = Symbol.for('async-debug.break.inScope')
const CONDITION = `(globalThis[Symbol.for('async-debug.break.inScope')]?.() ?? true)`

let warned = false

/** Says once on stderr that ASYNC_DEBUG_BREAK is set but nothing can stop there: no inspector is open. */
export function noInspector(): void {
  if (!warned) process.stderr.write(`async-debug: ${BREAK_VARIABLE} is set, but no inspector is open: run with --inspect-brk (as the command that a failure ends with does) to stop there\n`)
  warned = true
}

/**
 * Stops in the debugger at each of `sites` as a scope's code runs it: a breakpoint on the line,
 * set through an inspector session of this thread, so that the paused frame is the user's line,
 * before it creates what the failure named. Only when an inspector is open (`--inspect-brk`; the
 * runner may open it after the environment is set up): otherwise undefined, and nothing is done.
 * `inScope`: whether code of an open scope runs now, asked by the breakpoints' condition in each of
 * `globals` (the test code's realm). Returns a function that removes the breakpoints.
 */
export function breakAt(sites: readonly BreakSite[], inScope: () => boolean, globals: readonly object[], root = process.cwd()): (() => void) | undefined {
  // Loaded only when lines to stop at are given: a worker loads no inspector for nothing.
  const inspector = createRequire(import.meta.url)('node:inspector') as typeof import('node:inspector')
  if (inspector.url() === undefined) return undefined
  for (const global of globals) Object.defineProperty(global, IN_SCOPE, { value: inScope, configurable: true })
  const session = new inspector.Session()
  session.connect()
  const wanted = sites.map(({ file, line }) => ({ path: (isAbsolute(file) ? file : resolve(root, file)).replaceAll('\\', '/'), line }))
  // Each module as the runner compiles it (and, as the session starts, each compiled already): a
  // breakpoint on the site's line in its generated code, through its inline source map if it has one.
  session.on('Debugger.scriptParsed', ({ params: { scriptId, url, sourceMapURL } }) => {
    const path = pathOf(url)
    for (const site of wanted) {
      if (path !== site.path) continue
      const lineNumber = generatedLine(sourceMapURL, site.path, site.line - 1) ?? site.line - 1
      session.post('Debugger.setBreakpoint', { location: { scriptId, lineNumber }, condition: CONDITION }, () => {})
    }
  })
  session.post('Debugger.enable')
  return () => {
    session.disconnect()
    for (const global of globals) delete (global as Record<symbol, unknown>)[IN_SCOPE]
  }
}
