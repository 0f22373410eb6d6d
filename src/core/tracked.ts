import type { ResourceType } from './resource-types.js'
import type { Scope } from './scope.js'

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

/** Where a resource was created. */
export interface Site {
  /** Set by Error.captureStackTrace; V8 formats it only when it is first read. */
  stack?: string
  /** Where the user started what created it, when its own stack has no user frame (a server's `listen()`). */
  cause: Site | undefined
  /** `performance.now()` when it was recorded; kept for promises, which have no Tracked. */
  time?: number
  /** For a promise: where the function that created it starts, once asked (see promises/record.ts). */
  enclosing?: string
}

/** A resource its owner left alive when the owner's scope was judged. */
export interface Finding {
  readonly tracked: Tracked
  readonly type: ResourceType
  /** What leaked, e.g. `setInterval every 1000 ms`. */
  readonly description: string
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

/** The stacks of `site` and of the sites that caused it, innermost first. */
export function siteStacks(site: Site | undefined): string[] {
  const stacks: string[] = []
  for (let s = site; s; s = s.cause) stacks.push(s.stack ?? '')
  return stacks
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

/** A callback, or a test's or hook's synchronous part, that blocked the event loop longer than `slowCallbackMs`. */
export interface SlowCallback {
  readonly name: 'SlowCallback'
  /** What ran and for how long, e.g. `a setTimeout callback blocked the event loop for 302 ms (slowCallbackMs: 100)`. */
  readonly message: string
  /** The scope whose code created the callback, or ran. */
  readonly owner: Scope
  /** Where the callback's timer was created; none for the synchronous part of a scope's own function. */
  readonly site: Site | undefined
  /** The creation stack, so that a failure points at the user's line. */
  readonly stack: string | undefined
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
