import type { ResourceType } from '../core/resource-types.js'
import { hints } from './hints.js'
import type { TraceEvent } from './trace.js'

/**
 * What the page of a run (html-page.ts) draws, read from the merged trace's events (trace-file.ts)
 * and the runner's results: per test file, its tests on a time axis and the resources its scopes
 * made, each with what a click shows. Plain data, embedded in the page as JSON.
 */

/** What the runner said of one test: the page draws a failed one red. */
export interface RunnerResult {
  /** The test file, as the trace names it: relative to the folder the runner ran in (Vitest) or to the project's root (Jest). */
  file: string
  /** Its suites' names and its own, by ' > ', as the trace's scopes name it. */
  name: string
  failed: boolean
  /** The first line of each of its errors. */
  errors: string[]
}

/** Something async-debug found in a scope, as the trace marks it: a finding, a mistake, a floating call. */
export interface PageFound {
  cat: string
  text: string
  scope: string
  site?: string
  type?: string
}

export interface PageTest {
  /** Index in its file's tests, which are in order of start. */
  id: number
  /** Its title in reports, e.g. `test "timeline > leaks an interval"`. */
  title: string
  name: string
  /** Milliseconds from the start of the run. */
  start: number
  end: number
  /** Its row: tests that overlap (concurrent ones) go on rows of their own. */
  lane: number
  failed: boolean
  errors: string[]
  found: PageFound[]
  slow: { text: string; took: number; site?: string }[]
  leaksAllowed?: string
}

export interface PageResource {
  id: number
  description: string
  type: string
  asyncType: string
  start: number
  end: number
  site?: string
  /** The scope that made it, e.g. `test "timeline > leaks an interval"` or a hook of it. */
  owner: string
  /** The test it is of (its owner, or the test of its owner's hook), if any: `tests[ownerTest]`. */
  ownerTest?: number
  /** When its owner (the test, for a hook's) ended. */
  ownerEnd: number
  outcome: string
  reason?: string
  /** It ended after its owner did (or never): drawn across the tests it ran into. */
  outlived: boolean
  /** Its callbacks that ran during another test: that test's title, and how many times. */
  callbacks: [string, number][]
}

export interface PageFile {
  name: string
  start: number
  end: number
  tests: PageTest[]
  resources: PageResource[]
  /** What was found in the file's own scopes or its suites', not a test's. */
  found: PageFound[]
}

export interface PageModel {
  title: string
  /** Milliseconds the run's trace spans. */
  duration: number
  files: PageFile[]
  /** The types of the resources drawn (or the async type of a resource of none), which the page filters by. */
  types: string[]
  /** What to do of a leak of each type present, a resource's or a finding's. */
  hints: Record<string, string>
}

/** The first line of each error message, without terminal colours, as a result's `errors` keeps them. */
export const firstLines = (messages: readonly (string | undefined)[]): string[] =>
  messages.map((message) => (message ?? '').replace(/\u001b\[[0-9;]*m/g, '').trim().split('\n')[0]!.slice(0, 500)).filter((line) => line !== '')

const ms = (us: number): number => Math.round(us) / 1000
const OWNED_BY_TEST = /^(?:.* hook|the request handler) of (test ".*")$/

/** Puts each span on the first row where it overlaps nothing, in order of start: returns each one's row. */
export function lanes(spans: readonly { start: number; end: number }[]): number[] {
  const ends: number[] = []
  return spans.map(({ start, end }) => {
    let lane = ends.findIndex((last) => last <= start)
    if (lane < 0) lane = ends.push(end) - 1
    else ends[lane] = end
    return lane
  })
}

/** The page's model of a run from its merged trace events and the runner's results. */
export function pageModel(events: readonly TraceEvent[], results: readonly RunnerResult[], title: string): PageModel {
  // Each track's file, as its name's metadata says.
  const fileOf = new Map<string, string>()
  for (const event of events) if (event.ph === 'M' && event.name === 'thread_name' && typeof event.args?.['file'] === 'string') fileOf.set(`${event.pid}/${event.tid}`, event.args['file'])
  const byFile = new Map<string, TraceEvent[]>()
  let duration = 0
  for (const event of events) {
    if (event.ph === 'M') continue
    duration = Math.max(duration, event.ts + (event.dur ?? 0))
    const file = fileOf.get(`${event.pid}/${event.tid}`)
    if (file === undefined) continue
    const own = byFile.get(file) ?? []
    byFile.set(file, own)
    own.push(event)
  }
  const resultOf = new Map(results.map((result) => [`${result.file}\n${result.name}`, result]))
  const types = { resources: new Set<string>(), found: new Set<string>() }
  const files = [...byFile].map(([name, own]) => fileModel(name, own, resultOf, types)).sort((a, b) => a.start - b.start || a.name.localeCompare(b.name))
  const pageHints: Record<string, string> = {}
  for (const type of [...types.resources, ...types.found].sort()) if (Object.hasOwn(hints, type)) pageHints[type] = hints[type as ResourceType]
  return { title, duration: ms(duration), files, types: [...types.resources].sort(), hints: pageHints }
}

function fileModel(name: string, events: readonly TraceEvent[], resultOf: ReadonlyMap<string, RunnerResult>, types: { resources: Set<string>; found: Set<string> }): PageFile {
  const spans = events.filter((event) => event.ph === 'X')
  const arg = (event: TraceEvent, key: string): string | undefined => (typeof event.args?.[key] === 'string' ? (event.args[key] as string) : undefined)
  const testSpans = spans.filter((span) => span.cat === 'test').sort((a, b) => a.ts - b.ts || a.name.localeCompare(b.name))
  const rows = lanes(testSpans.map((span) => ({ start: span.ts, end: span.ts + span.dur! })))
  const tests: PageTest[] = testSpans.map((span, id) => {
    const testName = arg(span, 'name') ?? span.name
    const result = resultOf.get(`${name}\n${testName}`)
    const leaksAllowed = arg(span, 'leaksAllowed')
    return {
      id,
      title: span.name,
      name: testName,
      start: ms(span.ts),
      end: ms(span.ts + span.dur!),
      lane: rows[id]!,
      failed: result?.failed ?? false,
      errors: result?.errors ?? [],
      found: [],
      slow: [],
      ...(leaksAllowed === undefined ? {} : { leaksAllowed }),
    }
  })
  const testOf = new Map(tests.map((test) => [test.title, test]))
  // The test a scope's title is of: the test itself, or the test of its hook or request handler.
  const testOfScope = (scope: string | undefined): PageTest | undefined => (scope === undefined ? undefined : (testOf.get(scope) ?? testOf.get(OWNED_BY_TEST.exec(scope)?.[1] ?? '')))
  const endOf = new Map<string, number>()
  for (const span of spans) endOf.set(span.name, Math.max(endOf.get(span.name) ?? 0, span.ts + span.dur!))

  const found: PageFound[] = []
  for (const mark of events) {
    if (mark.ph !== 'i') continue
    const scope = arg(mark, 'scope') ?? ''
    const site = arg(mark, 'site')
    const type = arg(mark, 'type')
    const item: PageFound = { cat: mark.cat ?? 'mark', text: mark.name, scope, ...(site === undefined ? {} : { site }), ...(type === undefined ? {} : { type }) }
    if (type !== undefined) types.found.add(type)
    ;(testOfScope(scope)?.found ?? found).push(item)
  }
  for (const span of spans) {
    if (span.cat !== 'slow-callback') continue
    const site = arg(span, 'site')
    testOfScope(arg(span, 'scope'))?.slow.push({ text: span.name, took: Number(span.args?.['took'] ?? 0), ...(site === undefined ? {} : { site }) })
  }

  // Callbacks of a test's resource run during another test, by owner and what they are a callback of.
  const callbacks = new Map<string, Map<string, number>>()
  for (const span of spans) {
    if (span.cat !== 'callback') continue
    const key = `${arg(span, 'owner')}\n${span.name.replace(/^callback of /, '')}`
    const during = callbacks.get(key) ?? new Map<string, number>()
    callbacks.set(key, during)
    const test = arg(span, 'during') ?? ''
    during.set(test, (during.get(test) ?? 0) + 1)
  }
  const resources: PageResource[] = spans
    .filter((span) => span.cat === 'resource')
    .sort((a, b) => a.ts - b.ts)
    .map((span, id) => {
      const owner = arg(span, 'owner') ?? ''
      const test = testOfScope(owner)
      const ownerEnd = test ? Math.round(test.end * 1000) : (endOf.get(owner) ?? span.ts + span.dur!)
      const type = arg(span, 'type') ?? arg(span, 'asyncType') ?? 'unknown'
      types.resources.add(type)
      const site = arg(span, 'site')
      const reason = arg(span, 'reason')
      const outcome = arg(span, 'outcome') ?? 'alive at the end'
      const key = `${owner}\n${span.name}`
      const ran = callbacks.get(key)
      // Told once: a second resource of the same owner and description gets none.
      callbacks.delete(key)
      return {
        id,
        description: span.name,
        type,
        asyncType: arg(span, 'asyncType') ?? type,
        start: ms(span.ts),
        end: ms(span.ts + span.dur!),
        ...(site === undefined ? {} : { site }),
        owner,
        ...(test === undefined ? {} : { ownerTest: test.id }),
        ownerEnd: ms(ownerEnd),
        outcome,
        ...(reason === undefined ? {} : { reason }),
        outlived: span.ts + span.dur! > ownerEnd || outcome === 'alive at the end' || outcome === 'outlived its scope',
        callbacks: [...(ran ?? [])],
      }
    })
  // Loops, not Math.min(...): a long file's spans outnumber what a call's arguments may be.
  let start = Number.POSITIVE_INFINITY
  let end = 0
  for (const span of spans) {
    if (span.cat === 'file' || span.cat === 'test') start = Math.min(start, span.ts)
    end = Math.max(end, span.ts + span.dur!)
  }
  return { name, start: ms(Number.isFinite(start) ? start : 0), end: ms(end), tests, resources, found }
}
