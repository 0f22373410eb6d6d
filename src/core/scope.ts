import { Candidates } from './candidates.js'
import { PROMISE_STACKS_PER_SCOPE } from './promises.js'
import { now } from './real-timers.js'
import type { Excused, Mistake, Site, Tracked } from './tracked.js'

/** The kinds of scope that own async work, outermost first. */
export type ScopeKind = 'worker' | 'file' | 'suite' | 'test' | 'hook' | 'fixture'

/**
 * A unit of the test run that owns the async resources created while its code runs.
 * A scope is judged once, when it closes: what it still owns that is alive is a finding.
 */
export class Scope {
  readonly resources = new Set<Tracked>()
  /** Promises created here that nothing has awaited yet. */
  readonly promises = new Candidates()
  /** Where some of its promises were created (see promiseStacks). */
  readonly promiseSites = new Map<Promise<unknown>, Site>()
  /** How many more of its promises get a creation stack. */
  promiseStacks = PROMISE_STACKS_PER_SCOPE
  /** Promises its code must await, such as assertions on promises, with the error to report if it does not. */
  readonly mustAwait = new Map<Promise<unknown>, Error>()
  /** Async mistakes of its own code or, once they are judged, of its children's; reported when it is judged. */
  readonly mistakes: Mistake[] = []
  /** Being judged: the promises its code still creates are no longer recorded, only its handles. */
  closed = false
  /** Judged: its findings and errors were handed to the runner; later errors go to its parent. */
  judged = false
  /** What `allowPending()` or an `ignore` rule let pass when it was judged, for the run's summary. */
  readonly excused: Excused[] = []
  /** Why what it leaves alive does not fail it (`allowTests`, `allowLeaks()`); it is still reported. */
  allowed: string | undefined = undefined
  /** When it was opened (`performance.now()`): what blocked the event loop before is not its doing. */
  readonly openedAt = now()
  /** Scopes judged with it, as its own: those of a test's beforeEach and afterEach hooks, so that reports name the hook. */
  readonly parts: Scope[] = []

  constructor(
    readonly kind: ScopeKind,
    readonly name: string,
    readonly parent?: Scope,
    /** Said after its name in reports, e.g. `scope: file` for a fixture. */
    readonly detail?: string,
  ) {}

  /** A file or worker scope: its code runs at import time or for the runner, not in a test's, hook's or fixture's function. */
  get outer(): boolean {
    return this.kind === 'file' || this.kind === 'worker'
  }

  /** How reports name this scope, e.g. `test "loads the user"`. */
  get title(): string {
    if (this.kind === 'hook') return `${this.name} hook of ${this.parent?.title ?? 'no test'}`
    const title = this.kind === 'file' ? `file ${this.name}` : `${this.kind} "${this.name}"`
    return this.detail ? `${title} (${this.detail})` : title
  }
}
