import { type AsyncHook, createHook, executionAsyncResource } from 'node:async_hooks'
import { types } from 'node:util'
import { now } from './real-timers.js'
import { threadCpuMs } from './thread-cpu.js'
import { withoutOwnFrames } from './frames.js'
import { factsOf, origin } from './async-types.js'
import type { MistakeKind, Scope, SlowCallback, SlowRan, Tracked } from './scope.js'
import type { Site } from './site.js'

/** How a slow callback is reported: the scope it belongs to, what ran, for how long, and where it was made. */
export type ReportSlow = (owner: Scope, ran: SlowRan, took: number, site: Site | undefined) => void

/**
 * What becomes of a slow callback: with `fails` ('slow-callbacks' in failOn) a mistake charged to
 * its scope; else a report kept on its scope, for the run's records, and handed to `onSlow`.
 */
export function slowCallbackOutcome(limit: number, fails: boolean, charge: (owner: Scope, kind: MistakeKind, cause: SlowCallback) => void, onSlow: ((slow: SlowCallback) => void) | undefined): ReportSlow {
  return (owner, ran, took, site) => {
    const slow: SlowCallback = {
      name: 'SlowCallback',
      ran,
      took,
      limit,
      owner,
      site,
      get stack() {
        return site?.stack
      },
    }
    if (fails) return charge(owner, 'slow-callback', slow)
    if (!owner.judged) owner.slow.push(slow)
    onSlow?.(slow)
  }
}

// Where Node keeps the callback of each kind of timer; it calls it as a method of the timer.
const callbackKey: Record<string, '_onTimeout' | '_onImmediate' | undefined> = { Timeout: '_onTimeout', Immediate: '_onImmediate' }
const whatRan: Record<string, (resource: { _repeat?: unknown }) => SlowRan> = {
  Timeout: (timer) => ({ is: 'timer', api: timer._repeat ? 'setInterval' : 'setTimeout' }),
  Immediate: () => ({ is: 'timer', api: 'setImmediate' }),
}
// How many promise creation sites are kept by key, newest first.
const SITES_BY_KEY = 4096

// How many of Node's own modules the process has loaded (Node lists them as it loads them).
const loadList = (): readonly string[] => (process as { moduleLoadList?: readonly string[] }).moduleLoadList ?? []
const builtinsLoaded = (): number => loadList().length
// Whether, of those loaded since `count`, one is a library that Node bundles and compiles on first
// use (fetch's undici: 100 ms and more on a loaded machine).
const bundledLoadedSince = (count: number): boolean => loadList().slice(count).some((name) => name.includes('internal/deps/'))

/** When a callback started: wall and thread CPU time (see {@link threadCpuMs}), and how many of Node's own modules were loaded. */
export interface Start {
  readonly wall: number
  readonly cpu: number
  readonly builtins: number
}

/** Where a callback starts, for {@link blocked}. */
export const started = (): Start => ({ wall: now(), cpu: threadCpuMs(), builtins: builtinsLoaded() })

// How long code that started at `start` blocked the loop, when it took over `limit` ms of wall time:
// the CPU time this thread used meanwhile, so that waiting for a CPU on a loaded machine, and other
// threads' work, are no block; and none at all if Node compiled a library it bundles meanwhile (the
// first fetch() of a process: 100 ms and more on a loaded machine), which is no code of the user's.
// The clocks are read again only past the limit, as the common fast case pays one read.
function blocked(limit: number, start: Start): number {
  const took = now() - start.wall
  if (took <= limit) return took
  return bundledLoadedSince(start.builtins) ? 0 : Math.min(took, threadCpuMs() - start.cpu)
}

/**
 * Finds the callbacks that block the event loop longer than `slowCallbackMs`, and their culprit.
 * Timers' and immediates' callbacks are timed by wrapping them, and the synchronous part of a
 * scope's function by the engine. With `timeAllCallbacks`, an async_hooks before/after pair times
 * every other callback too: it runs around every promise continuation of the process, which costs
 * promise-heavy code more, hence opt-in. A block is counted in this thread's CPU time, and is
 * reported only with what ran and where it was made: one that cannot be told (a continuation of a
 * promise that has no creation stack, an fs callback) is not reported, as a report that names no
 * line gives the user nothing to act on.
 */
export class SlowCallbacks {
  readonly #limit: number
  readonly #report: ReportSlow
  readonly #current: () => Scope | undefined
  readonly #wrapped = new WeakSet<object>()
  readonly #asyncHook: AsyncHook | undefined
  readonly #tracked: WeakMap<object, Tracked> | undefined
  // Where the latest promises that got a stack were made, by key, and the continuations of those
  // promises: a slow continuation names the promise it ran after.
  readonly #sitesByKey: Map<number, Site> | undefined
  readonly #after: WeakMap<object, Site> | undefined
  // A callback that was reported (a timer's, a test's function) is not reported again as the one around it.
  #reportedUntil = 0

  /** @param current the scope of the code running now */
  constructor(limit: number, timeAll: boolean, current: () => Scope | undefined, report: ReportSlow) {
    this.#limit = limit
    this.#current = current
    this.#report = (owner, what, took, site) => {
      this.#reportedUntil = now()
      report(owner, what, took, site)
    }
    if (limit === 0 || !timeAll) return
    this.#tracked = new WeakMap()
    this.#sitesByKey = new Map()
    this.#after = new WeakMap()
    const starts: Start[] = []
    this.#asyncHook = createHook({
      before: () => void starts.push(started()),
      after: () => {
        // Unmatched when the hook was enabled inside a callback.
        const start = starts.pop()
        if (start === undefined || start.wall <= this.#reportedUntil) return
        const took = blocked(limit, start)
        if (took > limit) this.#blame(executionAsyncResource(), took)
      },
    })
  }

  /** Starts timing every callback, with `timeAllCallbacks`. */
  enable(): void {
    this.#asyncHook?.enable()
  }

  disable(): void {
    this.#asyncHook?.disable()
  }

  /** Whether the synchronous part of a scope's function, started at `start`, was slow; reports it if so. */
  ran(scope: Scope, start: Start): void {
    if (this.#limit === 0) return
    const took = blocked(this.#limit, start)
    if (took > this.#limit) this.#report(scope, { is: 'sync-part', scope: scope.title }, took, scope.site)
  }

  /** A tracked resource was just created: a timer's callback is timed from now on. */
  created(tracked: Tracked): void {
    if (this.#limit === 0) return
    this.#tracked?.set(tracked.resource, tracked)
    const key = callbackKey[tracked.asyncType]
    const timer = tracked.resource as Record<string, unknown> & { _repeat?: unknown }
    const callback = key && timer[key]
    if (typeof callback !== 'function') return
    const limit = this.#limit
    const report = this.#report
    timer[key!] = function timed(this: unknown, ...args: unknown[]) {
      const start = started()
      try {
        return callback.apply(this, args)
      } catch (error) {
        throw withoutOwnFrames(error)
      } finally {
        const took = blocked(limit, start)
        if (took > limit) report(tracked.owner, whatRan[tracked.asyncType]!(timer), took, tracked.site)
      }
    }
    this.#wrapped.add(timer)
  }

  /**
   * With `timeAllCallbacks`, a promise was recorded (see PromiseTracker): the site of a new chain is
   * kept by its key, and a continuation of it is linked to that site, to locate it if it is slow.
   */
  promise(promise: Promise<unknown>, key: number, parentKey: number | undefined, site: Site | undefined): void {
    const sites = this.#sitesByKey
    const continuations = this.#after
    if (sites === undefined || continuations === undefined) return
    if (parentKey !== undefined) {
      const after = sites.get(parentKey)
      if (after !== undefined) continuations.set(promise, after)
    } else if (site !== undefined) {
      sites.set(key, site)
      if (sites.size > SITES_BY_KEY) sites.delete(sites.keys().next().value!)
    }
  }

  // Reports a slow callback that the hook timed, if it can tell where it was made.
  #blame(resource: object, took: number): void {
    if (this.#wrapped.has(resource)) return
    const tracked = this.#tracked?.get(resource)
    if (tracked) {
      // A server's handle is made inside listen(), its stack Node's: placed at the line that called it, as its leak is.
      tracked.site.cause ??= origin(tracked.asyncType, tracked.resource)
      return this.#report(tracked.owner, { is: 'callback-of', facts: factsOf(tracked.asyncType, tracked.resource) }, took, tracked.site)
    }
    const scope = this.#current()
    // At import time, continuations are mostly the runner loading modules, as with run()'s timing.
    // A test's realm may not be ours (Jest's vm): its promises are not our Promise's instances.
    if (scope === undefined || scope.outer || !types.isPromise(resource)) return
    const after = this.#after?.get(resource)
    if (after !== undefined) this.#report(scope, { is: 'continuation' }, took, after)
  }
}
