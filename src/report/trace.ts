import { type AsyncHook, createHook } from 'node:async_hooks'
import { createRequire } from 'node:module'
import { factsOf, isAlive, typeOf } from '../core/async-types.js'
import { creationSite } from '../core/frames.js'
import type { EngineObserver } from '../core/observer.js'
import { now } from '../core/real-timers.js'
import type { Finding, Scope, SlowRan, Tracked } from '../core/scope.js'
import type { ResourceType } from '../core/resource-types.js'
import type { Site } from '../core/site.js'
import { describe } from './descriptions.js'
import { whatRan } from './slow-callback.js'

/**
 * A timeline of a run in Chrome's trace-event format, which Perfetto (ui.perfetto.dev) opens (and
 * older Chromes' chrome://tracing): each worker records its part as its engine observes it (see
 * EngineObserver), and the summary reporter merges the parts into one file (trace-file.ts), or
 * the page of the run drawn from it (html-page.ts).
 */

/** One event of the trace-event format: `X` a complete span, `i` an instant mark, `s`/`f` the two ends of a flow arrow, `M` metadata. */
export interface TraceEvent {
  name: string
  ph: 'X' | 'i' | 's' | 'f' | 'M'
  /** Microseconds: in a part, since the epoch; in the merged file, since the run's first event. */
  ts: number
  pid: number
  tid: number
  cat?: string
  dur?: number
  /** For an instant: thread-scoped. */
  s?: 't'
  /** For a flow's end: bound to the slice that encloses it. */
  bp?: 'e'
  id?: number
  args?: Record<string, unknown>
}

/** What one worker's engine (one test file's, on Jest) recorded: events of pid 1, with their own track and flow ids. */
export interface TracePart {
  /** The process (and thread) that ran it, e.g. `worker pid 4242 thread 3`: parts of one worker share a process in the trace. */
  worker: string
  events: TraceEvent[]
}

/** What became of a tracked resource, as the trace's span of it says. */
export type ResourceOutcome = 'closed' | 'waited for' | 'leaked' | 'held' | 'allowed' | 'outlived its scope' | 'alive at the end'

interface ResourceRecord {
  readonly asyncType: string
  readonly owner: Scope
  readonly start: number
  readonly site: Site
  readonly resource: WeakRef<object>
  /** What users call it (`interval`, `server`…), for a page's filter and hint; a finding's own, once it is one. */
  type: ResourceType | undefined
  end?: number
  description?: string | undefined
  outcome?: ResourceOutcome
  reason?: string | undefined
  aliveWhenJudging?: boolean | undefined
}

interface ScopeRecord {
  readonly scope: Scope
  readonly opened: number
  readonly runs: [number, number][]
  judging?: number
  judged?: number
}

interface Mark {
  readonly scope: Scope
  readonly at: number
  readonly name: string
  readonly cat: string
  readonly args: Record<string, unknown>
}

interface Block {
  readonly scope: Scope
  readonly start: number
  readonly end: number
  readonly name: string
  readonly cat: string
  readonly args: Record<string, unknown>
  /** For a callback of a test that ended, run during another: the scope that created its resource, where the flow arrow starts. */
  readonly from?: { scope: Scope; at: number }
}

// A span laid out on a track: `lane` is which of its group's tracks it went to.
interface Span {
  readonly group: string
  /** The test file whose group it is in; none for a worker's. */
  readonly file: string | undefined
  readonly start: number
  readonly end: number
  readonly name: string
  readonly cat: string
  readonly args: Record<string, unknown>
  lane?: number
}

const microseconds = (ms: number): number => Math.round((performance.timeOrigin + ms) * 1000)

/** The file scope that `scope` is of, or none (a worker fixture). */
function fileOf(scope: Scope): Scope | undefined {
  let at: Scope | undefined = scope
  while (at && at.kind !== 'file') at = at.parent
  return at
}

const scopesGroup = (scope: Scope): string => fileOf(scope)?.name ?? 'worker'

function describeResource(asyncType: string, resource: object | undefined): string | undefined {
  if (resource === undefined) return undefined
  try {
    return describe({ facts: factsOf(asyncType, resource) })
  } catch {
    return undefined
  }
}

function typeOfResource(asyncType: string, resource: object): ResourceType | undefined {
  try {
    return typeOf(asyncType, resource)
  } catch {
    return undefined
  }
}

function alive(asyncType: string, resource: object | undefined): boolean {
  try {
    return resource !== undefined && isAlive(asyncType, resource, true)
  } catch {
    return false
  }
}

const messageOf = (cause: unknown): string => (cause instanceof Error ? cause.message : typeof (cause as { message?: unknown })?.message === 'string' ? (cause as { message: string }).message : String(cause)).split('\n')[0]!

/**
 * Records what an engine observes, and lays it out as trace events: a track per test file (more
 * where its spans overlap: concurrent tests, fixtures), with spans of its scopes, their judging,
 * slow callbacks, and marks of what judging found; and a track of the file's resources, each a
 * span from its creation to its end, saying what became of it. With `enable()`, an async_hooks
 * hook of its own tells when each tracked resource ends, and which of its callbacks ran during
 * another test than the one that made it (a flow arrow): it exists only while tracing.
 */
export class TraceRecorder implements EngineObserver {
  readonly #scopes = new Map<Scope, ScopeRecord>()
  readonly #resources: ResourceRecord[] = []
  readonly #byResource = new WeakMap<object, ResourceRecord>()
  readonly #byTracked = new WeakMap<Tracked, ResourceRecord>()
  readonly #byId = new Map<number, ResourceRecord>()
  readonly #marks: Mark[] = []
  readonly #blocks: Block[] = []
  // Tests opened and not judged yet, latest last: the last is the one running.
  readonly #running: Scope[] = []
  // Callbacks of an ended test's resources that are running now, innermost last.
  readonly #callbacks: ({ record: ResourceRecord; during: Scope; start: number } | undefined)[] = []
  #hook: AsyncHook | undefined

  /** Starts the hook that tells when resources end and when their callbacks run. */
  enable(): this {
    const byId = this.#byId
    const byResource = this.#byResource
    this.#hook ??= createHook({
      // After the tracker's hook, enabled first: the resource is tracked by then, or never.
      init: (id, _type, _trigger, resource) => {
        const record = byResource.get(resource)
        if (record !== undefined) byId.set(id, record)
      },
      before: (id) => {
        const record = byId.get(id)
        this.#callbacks.push(record === undefined ? undefined : this.#callbackOf(record))
      },
      after: () => {
        const callback = this.#callbacks.pop()
        if (callback === undefined) return
        const { record, during, start } = callback
        const name = `callback of ${record.description ?? describeResource(record.asyncType, record.resource.deref()) ?? record.asyncType}`
        this.#blocks.push({ scope: during, start, end: now(), name, cat: 'callback', args: { owner: record.owner.title, during: during.title }, from: { scope: record.owner, at: record.start } })
      },
      destroy: (id) => {
        const record = byId.get(id)
        if (record === undefined) return
        byId.delete(id)
        record.end ??= now()
      },
    })
    this.#hook.enable()
    return this
  }

  // A callback of `record`'s resource about to run: one to draw if its test has ended and another is running.
  #callbackOf(record: ResourceRecord): { record: ResourceRecord; during: Scope; start: number } | undefined {
    let test: Scope | undefined = record.owner
    while (test && test.kind !== 'test') test = test.parent
    if (test === undefined || !test.judged) return undefined
    const during = this.#running.at(-1)
    return during === undefined || during === test ? undefined : { record, during, start: now() }
  }

  disable(): void {
    this.#hook?.disable()
  }

  opened(scope: Scope, at: number): void {
    this.#scopes.set(scope, { scope, opened: at, runs: [] })
    if (scope.kind === 'test') this.#running.push(scope)
  }

  ran(scope: Scope, start: number, end: number): void {
    this.#scopes.get(scope)?.runs.push([start, end])
  }

  tracked(tracked: Tracked): void {
    // Read now, as a timer's delay is gone once it is cleared; a handle's address is read again as its scope closes.
    const record: ResourceRecord = {
      asyncType: tracked.asyncType,
      owner: tracked.owner,
      start: tracked.createdAt,
      site: tracked.site,
      resource: new WeakRef(tracked.resource),
      type: typeOfResource(tracked.asyncType, tracked.resource),
      description: describeResource(tracked.asyncType, tracked.resource),
    }
    this.#resources.push(record)
    this.#byResource.set(tracked.resource, record)
    this.#byTracked.set(tracked, record)
  }

  judging(scope: Scope, at: number): void {
    const record = this.#scopes.get(scope)
    if (record) record.judging = at
    // What it owns as it closed: alive or not yet, and what each is while it can still be read.
    for (const owner of [scope, ...scope.parts])
      for (const tracked of owner.resources) {
        const resource = this.#byTracked.get(tracked)
        if (resource) this.#look(resource, tracked)
      }
    for (const tracked of scope.held) {
      const resource = this.#byTracked.get(tracked)
      if (resource) this.#look(resource, tracked)
    }
  }

  #look(record: ResourceRecord, tracked: Tracked): void {
    record.aliveWhenJudging = alive(tracked.asyncType, tracked.resource)
    if (record.aliveWhenJudging) record.description = describeResource(tracked.asyncType, tracked.resource) ?? record.description
  }

  judged(scope: Scope, { findings, held, excused, disposed }: Parameters<EngineObserver['judged']>[1], at: number): void {
    const record = this.#scopes.get(scope)
    if (record) record.judged = at
    const index = this.#running.indexOf(scope)
    if (index >= 0) this.#running.splice(index, 1)
    const verdicts = new Map<ResourceRecord, { outcome: ResourceOutcome; reason?: string | undefined }>()
    const recordOf = (finding: Finding): ResourceRecord => {
      const { tracked } = finding
      let resource = this.#byTracked.get(tracked)
      // A promise, which the tracker keeps in its scope's ledger: a span from its creation to now.
      if (resource === undefined) {
        this.tracked(tracked)
        resource = this.#byTracked.get(tracked)!
      }
      resource.description = describe(finding)
      resource.type = finding.type
      return resource
    }
    for (const finding of findings) {
      const resource = recordOf(finding)
      verdicts.set(resource, { outcome: 'leaked', ...(scope.leaksAllowed === undefined ? {} : { reason: `allowed: ${scope.leaksAllowed}` }) })
      if (disposed) resource.end ??= at
      this.#marks.push({ scope, at, name: `${finding.type}: ${resource.description}`, cat: 'finding', args: { type: finding.type, description: resource.description, site: creationSite(finding.tracked.site), scope: scope.title } })
    }
    for (const tracked of held) {
      const resource = this.#byTracked.get(tracked)
      if (resource) verdicts.set(resource, { outcome: 'held', reason: 'left for an enclosing suite to close' })
    }
    for (const { finding, reason } of excused) verdicts.set(recordOf(finding), { outcome: 'allowed', reason })
    for (const owner of [scope, ...scope.parts]) {
      for (const mistake of owner.mistakes)
        this.#marks.push({ scope, at, name: `${mistake.kind}: ${messageOf(mistake.cause)}`, cat: 'mistake', args: { kind: mistake.kind, message: messageOf(mistake.cause), scope: owner.title, late: mistake.late } })
      for (const warning of owner.warnings) this.#marks.push({ scope, at, name: `floating call: ${describe(warning)}`, cat: 'warning', args: { description: describe(warning), site: creationSite(warning.tracked.site), scope: owner.title } })
    }
    // What it owned as it closed and is no finding: closed, waited for, or let run.
    for (const resource of this.#resources) {
      if (resource.aliveWhenJudging === undefined || (resource.owner !== scope && !scope.parts.includes(resource.owner) && !verdicts.has(resource) && resource.outcome !== 'held')) continue
      const verdict = verdicts.get(resource)
      if (verdict) {
        resource.outcome = verdict.outcome
        resource.reason = verdict.reason
      } else if (!resource.aliveWhenJudging) {
        resource.outcome = 'closed'
        resource.end ??= at
      } else if (alive(resource.asyncType, resource.resource.deref())) resource.outcome = 'outlived its scope'
      else {
        resource.outcome = 'waited for'
        resource.end ??= at
      }
      resource.aliveWhenJudging = undefined
    }
  }

  slow(owner: Scope, ran: SlowRan, took: number, site: Site | undefined, at: number): void {
    this.#blocks.push({ scope: owner, start: Math.max(at - took, this.#scopes.get(owner)?.opened ?? 0), end: at, name: `slow: ${whatRan(ran)}`, cat: 'slow-callback', args: { took: Math.round(took), scope: owner.title, site: creationSite(site) } })
  }

  /** The events recorded so far, laid out on tracks: the part of the trace that this worker leaves. */
  part(): TracePart {
    const end = now()
    const spans: Span[] = []
    const spanOf = new Map<Scope, Span>()
    const collecting = new Map<Scope, [number, number]>()
    for (const { scope, runs } of this.#scopes.values()) if (scope.kind === 'file' && runs[0]) collecting.set(scope, runs[0])
    // Each scope from its opening to its judging; a hook or request handler until its function returned.
    const bounds = new Map<Scope, [number, number]>()
    for (const { scope, opened, runs, judged } of this.#scopes.values()) {
      const lastRun = runs.reduce((latest, [, ended]) => Math.max(latest, ended), opened)
      bounds.set(scope, [opened, scope.part ? (runs.length > 0 ? lastRun : (judged ?? end)) : Math.max(judged ?? end, lastRun)])
    }
    // A describe block from when its hooks or tests start: it was opened as its file was collected, long before.
    const depth = (scope: Scope): number => (scope.parent ? depth(scope.parent) + 1 : 0)
    const suites = [...this.#scopes.values()].filter(({ scope }) => scope.kind === 'suite').sort((a, b) => depth(b.scope) - depth(a.scope))
    for (const { scope, runs } of suites) {
      const file = fileOf(scope)
      const collected = file && collecting.get(file)
      let start = Infinity
      for (const [began] of runs) if (!collected || began < collected[0] || began > collected[1]) start = Math.min(start, began)
      for (const [child, [began]] of bounds) if (child.parent === scope) start = Math.min(start, began)
      const [, ended] = bounds.get(scope)!
      if (start !== Infinity) bounds.set(scope, [Math.min(start, ended), ended])
    }
    for (const { scope, judging, judged } of this.#scopes.values()) {
      const [start, stop] = bounds.get(scope)!
      const span: Span = { group: scopesGroup(scope), file: fileOf(scope)?.name, start, end: stop, name: scope.title, cat: scope.kind, args: { kind: scope.kind, name: scope.name, state: scope.state, ...(scope.leaksAllowed === undefined ? {} : { leaksAllowed: scope.leaksAllowed }) } }
      spans.push(span)
      spanOf.set(scope, span)
      if (!scope.part && judging !== undefined && judged !== undefined) spans.push({ group: span.group, file: span.file, start: Math.max(judging, start), end: Math.min(judged, stop), name: `judging ${scope.title}`, cat: 'judging', args: {} })
    }
    const blockSpans = this.#blocks.map((block) => {
      const span: Span = { group: scopesGroup(block.scope), file: fileOf(block.scope)?.name, start: block.start, end: block.end, name: block.name, cat: block.cat, args: block.args }
      spans.push(span)
      return span
    })
    for (const resource of this.#resources) {
      const held = resource.resource.deref()
      if (resource.end === undefined && !alive(resource.asyncType, held)) resource.end = end
      resource.description ??= describeResource(resource.asyncType, held)
      const outcome = resource.outcome ?? 'alive at the end'
      spans.push({
        group: `${scopesGroup(resource.owner)} · resources`,
        file: fileOf(resource.owner)?.name,
        start: resource.start,
        end: Math.max(resource.start, resource.end ?? end),
        name: resource.description ?? resource.asyncType,
        cat: 'resource',
        args: { ...(resource.type === undefined ? {} : { type: resource.type }), asyncType: resource.asyncType, owner: resource.owner.title, site: creationSite(resource.site), outcome, ...(resource.reason === undefined ? {} : { reason: resource.reason }) },
      })
    }
    const tracks = layOut(spans)
    const events: TraceEvent[] = []
    const tid = (span: Span): number => tracks.get(span.group)![span.lane!]!
    // Which file each track is of, said beside its name for readers that group tracks by file (html-page.ts).
    const fileOfGroup = new Map(spans.map((span) => [span.group, span.file]))
    for (const [group, lanes] of tracks)
      lanes.forEach((id, lane) => {
        const file = fileOfGroup.get(group)
        events.push({ name: 'thread_name', ph: 'M', ts: 0, pid: 1, tid: id, args: { name: lane === 0 ? group : `${group} (${lane + 1})`, ...(file === undefined ? {} : { file }) } })
        events.push({ name: 'thread_sort_index', ph: 'M', ts: 0, pid: 1, tid: id, args: { sort_index: id } })
      })
    for (const span of spans) {
      const ts = microseconds(span.start)
      events.push({ name: span.name, cat: span.cat, ph: 'X', ts, dur: microseconds(span.end) - ts, pid: 1, tid: tid(span), args: span.args })
    }
    for (const mark of this.#marks) {
      const span = spanOf.get(mark.scope)
      events.push({ name: mark.name, cat: mark.cat, ph: 'i', s: 't', ts: microseconds(span ? Math.min(Math.max(mark.at, span.start), span.end) : mark.at), pid: 1, tid: span ? tid(span) : tracks.get(scopesGroup(mark.scope))![0]!, args: mark.args })
    }
    // A flow arrow from the scope that made a resource to each of its callbacks run during another test.
    let flow = 0
    this.#blocks.forEach((block, i) => {
      const from = block.from && spanOf.get(block.from.scope)
      if (!from) return
      const to = blockSpans[i]!
      flow++
      const at = Math.min(Math.max(block.from!.at, from.start), from.end)
      events.push({ name: block.name, cat: 'flow', ph: 's', id: flow, ts: microseconds(at), pid: 1, tid: tid(from) })
      events.push({ name: block.name, cat: 'flow', ph: 'f', bp: 'e', id: flow, ts: microseconds(to.start), pid: 1, tid: tid(to) })
    })
    const threadId = workerThreadId()
    const worker = `worker pid ${process.pid}${threadId > 0 ? ` thread ${threadId}` : ''}`
    return { worker, events }
  }
}

/**
 * Puts each span on a track of its group where it nests in the spans there (the trace-event format
 * draws a track's spans as a stack): the first where it fits, else a new one. Returns each group's
 * tracks' ids, in order, and sets each span's lane.
 */
function layOut(spans: Span[]): Map<string, number[]> {
  const order = [...spans].sort((a, b) => a.start - b.start || b.end - a.end)
  const lanes = new Map<string, Span[][]>()
  for (const span of order) {
    const group = lanes.get(span.group) ?? []
    lanes.set(span.group, group)
    let lane = group.findIndex((stack) => {
      while (stack.length > 0 && stack.at(-1)!.end <= span.start) stack.pop()
      return stack.length === 0 || stack.at(-1)!.end >= span.end
    })
    if (lane < 0) lane = group.push([]) - 1
    group[lane]!.push(span)
    span.lane = lane
  }
  // Files' tracks first, each file's resources after it.
  const tracks = new Map<string, number[]>()
  let next = 1
  for (const group of [...lanes.keys()].sort()) tracks.set(group, lanes.get(group)!.map(() => next++))
  return tracks
}

/** This thread's id among the process's worker threads; worker_threads is loaded only once a trace is recorded. */
export function workerThreadId(): number {
  return (createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads')).threadId
}
