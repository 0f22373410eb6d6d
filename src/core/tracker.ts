import { type AsyncHook, createHook, executionAsyncId, executionAsyncResource } from 'node:async_hooks'
import { makingOwn } from './own-work.js'
import type { Ownership } from './ownership.js'
import { type PromiseTracker, promiseTracker, trackPromises } from './promises/track.js'
import { now } from './real-timers.js'
import { isAlive, isTrackedType } from './async-types.js'
import type { Scope, Tracked } from './scope.js'
import { type Site, capture } from './site.js'
import type { SlowCallbacks } from './slow-callbacks.js'

// A scope that creates many short-lived resources is pruned of the finished ones this often.
const PRUNE_EVERY = 2048

/**
 * Told of code of a judged scope that creates `resource`, of a tracked async_hooks type or a
 * promise (a floating call of its may have resumed); `below` is where a stack of it starts.
 */
export type JudgedCode = (scope: Scope, below: Function, resource: object, asyncType: string) => void

/**
 * Tracks each async resource that scopes' code creates, with where, in the scope that owns it:
 * an async_hooks hook that every resource of the process passes (one store lookup, a stack only
 * for the tracked), and v8.promiseHooks for promises on Node lines whose async_hooks leave them out.
 */
export class Tracker {
  readonly #asyncHook: AsyncHook
  readonly #ownership: Ownership
  readonly #trackPromise: PromiseTracker
  readonly #judgedCode: JudgedCode
  #stopPromises: (() => void) | undefined

  /** `onTrack`, given only when tracing (see EngineObserver), is told of each resource tracked. */
  constructor(
    ownership: Ownership,
    slowCallbacks: SlowCallbacks,
    { tracePromises, locateContinuations }: { tracePromises: boolean; locateContinuations: boolean },
    judgedCode: JudgedCode,
    onTrack?: (tracked: Tracked) => void,
  ) {
    this.#ownership = ownership
    this.#judgedCode = judgedCode
    // Each tracked resource by its object, for what its callbacks make: a timer set again from its
    // callback (jsdom's setInterval) is caused by it, and a handle that Node makes in one is placed by it.
    const byResource = new WeakMap<object, Tracked>()
    const make = (scope: Scope, type: string, resource: object, site: Site, armedBy?: object, ranIn?: Site): Tracked => {
      const tracked: Tracked = { asyncType: type, resource, owner: scope, createdAt: now(), site, armedBy, ranIn }
      byResource.set(resource, tracked)
      scope.resources.add(tracked)
      slowCallbacks.created(tracked)
      if (scope.resources.size % PRUNE_EVERY === 0) prune(scope)
      return tracked
    }
    // Chosen once: without tracing, a tracked resource costs what it did before.
    const add: (...args: Parameters<typeof make>) => void = onTrack === undefined ? make : (...args) => onTrack(make(...args))
    this.track = (type, resource, site) => {
      // Until judged: a handle can be created a tick after the code that asked for it (listen on a host).
      const scope = ownership.current()
      if (scope === undefined || scope.judged) return undefined
      add(scope, type, resource, site)
      return scope
    }
    const trackOnly = promiseTracker(capture, tracePromises)
    // Kept off the path of every promise unless timeAllCallbacks needs it.
    const trackPromise: PromiseTracker = (this.#trackPromise = !locateContinuations
      ? trackOnly
      : (scope, promise, key, parentKey, below) => {
          const tracked = trackOnly(scope, promise, key, parentKey, below)
          slowCallbacks.promise(promise, key, parentKey, scope.promises.sites.get(promise))
          return tracked
        })
    const { creating } = ownership
    function init(id: number, type: string, trigger: number, resource: object): void {
      if (type === 'PROMISE') {
        const scope = creating(resource)
        if (scope === undefined) return
        if (scope.judged) return judgedCode(scope, init, resource, type)
        // A new chain's trigger is the code running now; a continuation's is its parent.
        const parent = trigger === executionAsyncId() ? undefined : trigger
        trackPromise(scope, resource as Promise<unknown>, id, parent, init)
        return
      }
      // An untracked resource (a tick, a dns lookup) matters only as a carrier of an adopted scope.
      if (makingOwn || (!ownership.adopting && !isTrackedType(type))) return
      const scope = ownership.creatingResource(resource)
      if (scope === undefined || !isTrackedType(type)) return
      if (scope.judged) return judgedCode(scope, init, resource, type)
      const site = capture(init)
      const parent = byResource.get(executionAsyncResource())
      if (type !== 'Timeout' || parent?.asyncType !== 'Timeout') return add(scope, type, resource, site, undefined, parent?.site)
      // The cause's own cause, if it has one: a chain of timers, each set by the last, stays two long.
      site.cause = parent.site.cause ?? parent.site
      add(scope, type, resource, site, parent.resource)
    }
    // Node lines with `trackPromises` leave promises out of the hook: they are v8.promiseHooks' job.
    this.#asyncHook = createHook({ init, trackPromises: false } as Parameters<typeof createHook>[0])
  }

  /** Tracks `resource` as created by the code running now, at `site`; returns the scope that owns it. */
  readonly track: (type: string, resource: object, site: Site) => Scope | undefined

  enable(): void {
    this.#asyncHook.enable()
    if (this.#stopPromises === undefined && !asyncHooksSeePromises()) this.#stopPromises = trackPromises(() => this.#ownership.current(), this.#trackPromise, this.#judgedCode)
  }

  disable(): void {
    this.#asyncHook.disable()
    this.#stopPromises?.()
    this.#stopPromises = undefined
  }
}

function prune(scope: Scope): void {
  for (const tracked of scope.resources) if (!isAlive(tracked.asyncType, tracked.resource, true)) scope.resources.delete(tracked)
}

let hooksSeePromises: boolean | undefined

/**
 * Whether Node reports promises to an async_hooks hook that asks to be spared them: every line
 * without createHook's `trackPromises` option. Asked once, of a hook of its own, so that the
 * tracker's hook, which every promise passes, does no bookkeeping for the question.
 */
function asyncHooksSeePromises(): boolean {
  if (hooksSeePromises !== undefined) return hooksSeePromises
  let seen = false
  const probe = createHook({ init: (_id, type) => void (seen ||= type === 'PROMISE'), trackPromises: false } as Parameters<typeof createHook>[0]).enable()
  void Promise.resolve()
  probe.disable()
  return (hooksSeePromises = seen)
}
