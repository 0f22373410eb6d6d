import type { Excused, Finding, Scope, SlowRan, Tracked } from './scope.js'

/**
 * What the engine tells of a run as it goes, for a timeline of it (report/trace.ts): given only
 * when tracing, so that a run without one does no work for it. Times are `performance.now()`.
 * It must not throw, nor create async resources in a scope.
 */
export interface EngineObserver {
  /** A scope was opened. */
  opened(scope: Scope, at: number): void
  /** A function ran in `scope` (see Engine.run), from `start` until it returned or its promise settled. */
  ran(scope: Scope, start: number, end: number): void
  /** A resource was tracked in its owner scope. */
  tracked(tracked: Tracked): void
  /** `scope` closed and is being judged: what it owns is as it was left. */
  judging(scope: Scope, at: number): void
  /**
   * `scope` was judged: `findings` it left alive (disposed of when `disposed`), `held` for an
   * enclosing suite to close, `excused` let pass. Its mistakes and warnings are on it.
   */
  judged(scope: Scope, verdict: { findings: readonly Finding[]; held: readonly Tracked[]; excused: readonly Excused[]; disposed: boolean }, at: number): void
  /** A callback of `owner`'s, or its function's synchronous part, blocked the event loop for `took` ms, ending now. */
  slow(owner: Scope, ran: SlowRan, took: number, site: Tracked['site'] | undefined, at: number): void
}
