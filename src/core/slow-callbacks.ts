import { type AsyncHook, createHook, executionAsyncResource } from 'node:async_hooks'
import { types } from 'node:util'
import { clearInterval, now, setInterval } from './real-timers.js'
import { withoutOwnFrames } from './frames.js'
import { describe } from './resource-types.js'
import type { Scope } from './scope.js'
import type { Site, Tracked } from './tracked.js'

/** How a slow callback is reported: the scope it belongs to, what ran, for how long, and where it was made. */
export type ReportSlow = (owner: Scope, what: string, took: number, site: Site | undefined) => void

// Where Node keeps the callback of each kind of timer; it calls it as a method of the timer.
const callbackKey: Record<string, '_onTimeout' | '_onImmediate' | undefined> = { Timeout: '_onTimeout', Immediate: '_onImmediate' }
const whatRan: Record<string, (resource: { _repeat?: unknown }) => string> = {
  Timeout: (timer) => (timer._repeat ? 'a setInterval callback' : 'a setTimeout callback'),
  Immediate: () => 'a setImmediate callback',
}
// How many promise creation sites are kept by key, newest first.
const SITES_BY_KEY = 4096

/** The process's CPU time so far, in ms. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

// How many of Node's own modules the process has loaded (Node lists them as it loads them).
const loadList = (): readonly string[] => (process as { moduleLoadList?: readonly string[] }).moduleLoadList ?? []
const builtinsLoaded = (): number => loadList().length
// Whether, of those loaded since `count`, one is a library that Node bundles and compiles on first
// use (fetch's undici: 100 ms and more on a loaded machine).
const bundledLoadedSince = (count: number): boolean => loadList().slice(count).some((name) => name.includes('internal/deps/'))

// How long code that started at `wall` and `cpu` blocked the loop, when it took over `limit` ms of
// wall time: no more than the CPU time it used, so that waiting for a CPU on a loaded machine is no
// block. The CPU time is read again only then, as the common fast case pays one read.
function blocked(limit: number, wall: number, cpu: number): number {
  const took = now() - wall
  return took > limit ? Math.min(took, cpuMs() - cpu) : took
}

/**
 * Finds the callbacks that block the event loop longer than `slowCallbackMs`, and their culprit.
 * Timers' and immediates' callbacks are timed by wrapping them, and the synchronous part of a
 * scope's function by the engine. With `timeAllCallbacks`, an async_hooks before/after pair times
 * every other callback too: it runs around every promise continuation of the process, which costs
 * promise-heavy code more, hence opt-in. Without it, a sentinel timer that fires late tells that
 * some other callback blocked the loop, and for how long, though not which one.
 */
export class SlowCallbacks {
  readonly #limit: number
  readonly #timeAll: boolean
  readonly #report: ReportSlow
  readonly #current: () => Scope | undefined
  readonly #running: () => Scope | undefined
  #stopSentinel: (() => void) | undefined
  #every = 0
  #lastTick = 0
  // The process's CPU time at the last tick.
  #lastCpu = 0
  // How many of Node's own modules were loaded at the last tick.
  #lastBuiltins = 0
  readonly #wrapped = new WeakSet<object>()
  readonly #asyncHook: AsyncHook | undefined
  readonly #tracked: WeakMap<object, Tracked> | undefined
  // Where the latest promises that got a stack were made, by key, and the continuations of those
  // promises: a slow continuation names the promise it ran after.
  readonly #sitesByKey: Map<number, Site> | undefined
  readonly #after: WeakMap<object, Site> | undefined
  // A callback that was reported (a timer's, a test's function) is not reported again as the one around it.
  #reportedUntil = 0

  /**
   * @param current the scope of the code running now
   * @param running the scope whose code was most likely running in the last moments, for a block
   * that the sentinel finds once it is over
   */
  constructor(limit: number, timeAll: boolean, current: () => Scope | undefined, running: () => Scope | undefined, report: ReportSlow) {
    this.#limit = limit
    this.#timeAll = timeAll
    this.#current = current
    this.#running = running
    this.#report = (owner, what, took, site) => {
      this.#reportedUntil = now()
      report(owner, what, took, site)
    }
    if (limit === 0 || !timeAll) return
    this.#tracked = new WeakMap()
    this.#sitesByKey = new Map()
    this.#after = new WeakMap()
    const starts: number[] = []
    this.#asyncHook = createHook({
      before: () => void starts.push(now()),
      after: () => {
        // Unmatched when the hook was enabled inside a callback.
        const started = starts.pop()
        if (started === undefined) return
        const took = now() - started
        if (took > limit && started > this.#reportedUntil) this.#blame(executionAsyncResource(), took)
      },
    })
  }

  /** Starts timing every callback, with `timeAllCallbacks`; without it, starts the sentinel. */
  enable(): void {
    this.#asyncHook?.enable()
    if (this.#limit > 0 && !this.#timeAll) this.#stopSentinel ??= this.#sentinel()
  }

  disable(): void {
    this.#asyncHook?.disable()
    this.#stopSentinel?.()
    this.#stopSentinel = undefined
  }

  // A timer due every `every` ms that fires late by more than the limit: something held the loop
  // that long, to within `every` ms.
  #sentinel(): () => void {
    this.#every = Math.max(10, Math.round(this.#limit / 4))
    this.#lastTick = now()
    this.#lastCpu = cpuMs()
    this.#lastBuiltins = builtinsLoaded()
    const timer = setInterval(() => this.#tick(), this.#every)
    timer.unref()
    return () => clearInterval(timer)
  }

  /**
   * `scope` is about to be judged: a block since the sentinel last ran, which it has had no turn to
   * see (a test whose last continuation blocks is judged before timers run again), was its code's.
   */
  judging(scope: Scope): void {
    if (this.#stopSentinel) this.#tick(scope)
  }

  // Charged to `scope`, else to the scope running now. A block already reported (a timer's, a test
  // body's) is not reported again; one outside tests, hooks and fixtures is the runner's, loading
  // modules, as with run()'s timing.
  #tick(scope?: Scope): void {
    const at = now()
    const late = at - this.#lastTick - this.#every > this.#limit
    // Judging a scope with nothing to see leaves the sentinel's baseline alone: no CPU time to read.
    if (scope !== undefined && !late) return
    const since = this.#lastTick
    const sinceCpu = this.#lastCpu
    const sinceBuiltins = this.#lastBuiltins
    this.#lastTick = at
    this.#lastCpu = cpuMs()
    this.#lastBuiltins = builtinsLoaded()
    // Node compiling a library it bundles on first use (fetch's undici) is no code of the test's: a
    // window in which it did is not reported.
    if (!late || this.#reportedUntil > since || bundledLoadedSince(sinceBuiltins)) return
    const owner = scope ?? this.#running()
    if (owner === undefined || owner.outer) return
    // Counted in CPU time: a process that waited for a CPU meanwhile (a loaded machine) was not
    // blocking for the time it waited, and one that blocked did use the CPU, however slowly.
    const blocked = Math.min(at - Math.max(since + this.#every, owner.openedAt), this.#lastCpu - sinceCpu)
    if (blocked > this.#limit)
      this.#report(owner, `a promise continuation or an I/O callback during ${owner.title} (the option \`timeAllCallbacks\` names which, and where)`, blocked, undefined)
  }

  /**
   * Whether the synchronous part of a scope's function, started at `wall` and `cpu` (`now()` and
   * {@link cpuMs}), was slow; reports it if so.
   */
  ran(scope: Scope, wall: number, cpu: number): void {
    if (this.#limit === 0) return
    const took = blocked(this.#limit, wall, cpu)
    if (took > this.#limit) this.#report(scope, `the synchronous part of ${scope.title}`, took, undefined)
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
      const wall = now()
      const cpu = cpuMs()
      try {
        return callback.apply(this, args)
      } catch (error) {
        throw withoutOwnFrames(error)
      } finally {
        const took = blocked(limit, wall, cpu)
        if (took > limit) report(tracked.owner, whatRan[tracked.asyncType]!(timer), took, tracked.site)
      }
    }
    this.#wrapped.add(timer)
  }

  /**
   * With `timeAllCallbacks`, a promise was recorded (see PromiseRecorder): the site of a new chain is
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

  #blame(resource: object, took: number): void {
    if (this.#wrapped.has(resource)) return
    const tracked = this.#tracked?.get(resource)
    if (tracked) return this.#report(tracked.owner, `a callback of ${describe(tracked.asyncType, tracked.resource)}`, took, tracked.site)
    const scope = this.#current()
    // At import time, continuations are mostly the runner loading modules, as with run()'s timing.
    if (scope === undefined || scope.outer) return
    // A test's realm may not be ours (Jest's vm): its promises are not our Promise's instances.
    if (!types.isPromise(resource)) return this.#report(scope, `an I/O callback of ${scope.title}`, took, undefined)
    const after = this.#after?.get(resource)
    this.#report(scope, `code that ran once a promise settled (after an await, or in a then() callback)${after ? '' : ` in ${scope.title}`}`, took, after)
  }
}
