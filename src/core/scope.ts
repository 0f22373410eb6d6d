import { PromiseLedger } from './promises/ledger.js'
import type { Excused, Finding, Mistake, Site, SlowCallback, Tracked } from './tracked.js'

/**
 * The kinds of scope that own async work, outermost first. A `hook` (a run of beforeEach or
 * afterEach) and a `handler` (what a server of the process does for the requests that a test or
 * hook sends) are parts of their test, judged with it.
 */
export type ScopeKind = 'worker' | 'file' | 'suite' | 'test' | 'hook' | 'handler' | 'fixture'

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
  /** Being judged: the promises its code still creates are no longer recorded, only its handles. */
  closed = false
  /** Judged: its findings and errors were handed to the runner; later errors go to its parent. */
  judged = false
  /** Judged, and what it left alive was disposed of: errors that this causes in its code are not reported. */
  disposed = false
  /** What `allowPending()` or an `ignore` rule let pass when it was judged, for the run's summary. */
  readonly excused: Excused[] = []
  /** Resources that its tests left for it to close (see resource-types.ts, `passive`): judged with it, failing the test. */
  readonly held = new Set<Tracked>()
  /** Floating calls it left pending with nothing live under them: printed as warnings, not failed. */
  readonly warnings: Finding[] = []
  /** Its callbacks that blocked the event loop, printed, not failed: kept for the run's records. */
  readonly slow: SlowCallback[] = []
  /** Why what it leaves alive does not fail it (`allowTests`, `allowLeaks()`); it is still reported. */
  allowed: string | undefined = undefined
  /** Scopes judged with it, as its own: its beforeEach and afterEach runs and its requests' handler, so that reports name them. */
  readonly parts: Scope[] = []
  /** Where its function was defined (a test's, when the runner tells): a slow synchronous part is reported there. */
  site: Site | undefined = undefined

  constructor(
    readonly kind: ScopeKind,
    readonly name: string,
    readonly parent?: Scope,
    /** Said after its name in reports, e.g. `scope: file` for a fixture. */
    readonly detail?: string,
  ) {}

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
