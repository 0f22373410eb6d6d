import { PromiseLedger } from './promises/ledger.js'
import type { ResourceFacts } from './resource-facts.js'
import type { ResourceType } from './resource-types.js'
import type { Site } from './site.js'

/**
 * The kinds of scope that own async work, outermost first. A `hook` (a run of beforeEach or
 * afterEach) and a `handler` (what a server of the process does for the requests that a test or
 * hook sends) are parts of their test, judged with it.
 */
export type ScopeKind = 'worker' | 'file' | 'suite' | 'test' | 'hook' | 'handler' | 'fixture'

/**
 * A scope's life: `open` while its code runs; `judging` once it closed, as what it left is waited
 * for (the promises its code still creates are no longer recorded, only its handles); `judged` once
 * its findings and errors were handed to the runner; `disposed`, judged and what it left alive
 * disposed of (errors that this causes in its code are not reported).
 */
export type ScopeState = 'open' | 'judging' | 'judged' | 'disposed'

/**
 * A unit of the test run that owns the async resources created while its code runs.
 * A scope is judged once, when it closes: what it still owns that is alive is a finding.
 */
export class Scope {
  readonly resources = new Set<Tracked>()
  /** The promises its code made that the promise rule looks at. */
  readonly promises = new PromiseLedger()
  /** Promises its code must await, such as assertions on promises, with the error to report if it does not. */
  readonly mustAwait = new Map<Promise<unknown>, Error>()
  /** Async mistakes of its own code or, once they are judged, of its children's; reported when it is judged. */
  readonly mistakes: Mistake[] = []
  /** Where it is in its life; see {@link ScopeState}. */
  state: ScopeState = 'open'
  /** What `allowPending()` or an `ignore` rule let pass when it was judged, for the run's summary. */
  readonly excused: Excused[] = []
  /** Resources that its tests left for it to close (see async-types.ts, `passive`): judged with it, failing the test. */
  readonly held = new Set<Tracked>()
  /** Floating calls it left pending with nothing live under them: printed as warnings, not failed. */
  readonly warnings: Finding[] = []
  /** Its callbacks that blocked the event loop, printed, not failed: kept for the run's records. */
  readonly slow: SlowCallback[] = []
  /** Why what it leaves alive does not fail it (`allowTests`, `allowLeaks()`); it is still reported. */
  leaksAllowed: string | undefined = undefined
  /** Scopes judged with it, as its own: its beforeEach and afterEach runs and its requests' handler, so that reports name them. */
  readonly parts: Scope[] = []
  /** Where its function was defined (a test's, when the runner tells): a slow synchronous part is reported there. */
  site: Site | undefined = undefined
  /** `performance.now()` when it opened, and, for a test, when it was judged. */
  openedAt = 0
  endedAt: number | undefined = undefined
  /**
   * For a test: code of tests that had ended, run while it was open (see core/strays.ts), by the
   * resource whose callbacks ran, or the test whose async functions went on.
   */
  strays: Map<object, Stray> | undefined = undefined

  constructor(
    readonly kind: ScopeKind,
    readonly name: string,
    readonly parent?: Scope,
    /** Said after its name in reports, e.g. `scope: file` for a fixture. */
    readonly detail?: string,
  ) {}

  /** Judged (or disposed of): its findings and errors were handed to the runner; later errors go to its parent. */
  get judged(): boolean {
    return this.state === 'judged' || this.state === 'disposed'
  }

  /** Judged with its parent, as a part of it: a hook run, or a request handler. */
  get part(): boolean {
    return this.kind === 'hook' || this.kind === 'handler'
  }

  /** A file or worker scope: its code runs at import time or for the runner, not in a test's, hook's or fixture's function. */
  get outer(): boolean {
    return this.kind === 'file' || this.kind === 'worker'
  }

  /**
   * What a runner prints of a scope it meets inside a user's value (the async context that Node keeps
   * on promises and timers, in a failed assertion's diff): its title, not everything it holds.
   */
  toJSON(): string {
    return `[async-debug ${this.title}]`
  }

  /** How reports name this scope, e.g. `test "loads the user"`. */
  get title(): string {
    if (this.kind === 'hook') return `${this.name} hook of ${this.parent?.title ?? 'no test'}`
    if (this.kind === 'handler') return `the request handler of ${this.parent?.title ?? 'no test'}`
    const title = this.kind === 'file' ? `file ${this.name}` : `${this.kind} "${this.name}"`
    return this.detail ? `${title} (${this.detail})` : title
  }
}

/** The test that `scope` is, or is a part of (a beforeEach or afterEach hook, its requests' handler). */
export function testScope(scope: Scope): Scope {
  return scope.part && scope.parent ? scope.parent : scope
}

/** One async resource recorded at creation, with the scope that owned the code creating it. */
export interface Tracked {
  /** The async_hooks type, e.g. `Timeout` or `TCPSERVERWRAP`. */
  readonly asyncType: string
  /** The object async_hooks handed to `init`: a Timeout, Immediate or native handle. */
  readonly resource: object
  readonly owner: Scope
  /** `performance.now()` at creation. */
  readonly createdAt: number
  readonly site: Site
  /** For a timer set by the callback of another tracked timer: that timer. */
  readonly armedBy?: object | undefined
  /** Where the tracked resource was made in whose callback this one was (a timer's in a timer's: see `armedBy`). */
  readonly ranIn?: Site | undefined
}

/** Code of an ended test that ran while another test was open: a resource's callbacks, or its async functions going on. */
export interface Stray {
  /** The test that had ended. */
  readonly from: Scope
  /** The resource whose callbacks ran (`runs` of them), as it was when the first ran; none for async functions going on. */
  readonly finding: Finding | undefined
  /** Where the resource was made, or where the async function went on. */
  readonly site: Site
  runs: number
}

/** A resource its owner left alive when the owner's scope was judged. */
export interface Finding {
  readonly tracked: Tracked
  readonly type: ResourceType
  /** What leaked, as report/descriptions.ts words it (`setInterval every 1000 ms`). */
  readonly facts: ResourceFacts
  /** Said instead of the creation site, when the stack cannot tell it. */
  readonly where?: string
  /** For the promise of an async function: the function's name (undefined for an anonymous one). */
  readonly asyncFunction?: string | undefined
  /** A never-settled promise of the same scope that waits on this resource: reported with it. */
  awaitedBy?: Finding
  /** The name the user gave it with nameTask(). */
  name?: string
  /** Left by a test (its `tracked.owner`, or a hook of it) for the scope being judged to close. */
  held?: true
}

/** What async mistake a scope's code made, besides leaving resources alive. */
export type MistakeKind = 'uncaught' | 'unhandled-rejection' | 'late-handled-rejection' | 'warning' | 'unawaited-assertion' | 'slow-callback' | 'resumed' | 'listeners'

/** An async mistake charged to the scope whose code made it. */
export interface Mistake {
  kind: MistakeKind
  readonly owner: Scope
  /** The error, rejection reason, warning or runner message. */
  readonly cause: unknown
  /** Whether the owner had been judged when it happened, so that an enclosing scope reports it. */
  readonly late: boolean
  /** Left out of `failOn`: reported next to its scope, not failing it. */
  readonly reportOnly: boolean
}

/** What ran that was slow, as report/slow-callback.ts words it. */
export type SlowRan =
  | { readonly is: 'timer'; readonly api: 'setTimeout' | 'setInterval' | 'setImmediate' }
  | { readonly is: 'callback-of'; readonly facts: ResourceFacts }
  /** The synchronous part of a test's, hook's or fixture's function: the scope's title. */
  | { readonly is: 'sync-part'; readonly scope: string }
  /** Code that ran once a promise settled. */
  | { readonly is: 'continuation' }

/**
 * A callback, or a test's or hook's synchronous part, that blocked the event loop longer than
 * `slowCallbackMs`: printed, or the cause of a `slow-callback` mistake.
 */
export interface SlowCallback {
  readonly name: 'SlowCallback'
  readonly ran: SlowRan
  /** For how long, in ms of its thread's CPU time. */
  readonly took: number
  /** `slowCallbackMs`. */
  readonly limit: number
  /** The scope whose code created the callback, or ran. */
  readonly owner: Scope
  /** Where the callback's timer was created; none for the synchronous part of a scope's own function. */
  readonly site: Site | undefined
  /** The creation stack, so that a failure points at the user's line. */
  readonly stack: string | undefined
}

/** A floating call of a judged scope that ran again: the cause of a `resumed` mistake, as report/async-errors.ts words it. */
export interface Resumed {
  readonly name: 'FloatingCallResumed'
  /** The async function's name; none for an anonymous one. */
  readonly fn: string | undefined
  /** Where it ran again, when known. */
  readonly at: string | undefined
  /** The title of the test or hook that was running then, if another scope's. */
  readonly during: string | undefined
  readonly ownerKind: ScopeKind
  /** Where the call was made: a failure points at that line. */
  readonly stack: string
}

/**
 * A finding let pass by `allowPending()`, an `ignore` rule, or because a dependency made it as it
 * was imported, with which and why: kept for the run's summary.
 */
export interface Excused {
  readonly finding: Finding
  readonly by: 'allowPending' | 'ignore' | 'import'
  /** e.g. `allowPending(): resolved by the first request` or `ignore.types: file-handle`. */
  readonly reason: string
  /** For `import`: the dependency, and the line of its that made the resource. */
  readonly imported?: { readonly dependency: string; readonly location: string }
}
