import { EventEmitter } from 'node:events'
import type { Scope } from '../scope.js'
import type { Site } from '../tracked.js'

/** Who added the listeners of emitters, and where; see {@link trackListeners}. */
export interface Listeners {
  /**
   * The scopes that added the listeners of `emitter` for `type` still attached, with how many each
   * and where the first of them that was recorded with a site was added.
   */
  owners(emitter: EventEmitter, type: string | symbol): Map<Scope, { count: number; site: Site | undefined }>
  /** Whether Node added some of them for a worker's stdio (see trackListeners). */
  byNode(emitter: EventEmitter, type: string | symbol): boolean
  stop(): void
}

const methods = ['addListener', 'on', 'prependListener'] as const
type Capture = (below: Function) => Site
type Events = Record<string | symbol, Function | Function[] | undefined>

/**
 * Records which scope adds each listener to an EventEmitter, so that a MaxListenersExceededWarning
 * names the tests whose listeners are still attached, not whichever test added the one too many.
 * `once()` listeners are added through these methods too. A WeakMap entry per listener added, and
 * one per emitter made in a scope. Where a listener was added is recorded only where an emitter can
 * outlive the scope adding to it: one that it did not make, or whose last listener of that type
 * another scope added (a stack costs microseconds; an emitter's own code adds listeners all the time).
 */
export function trackListeners(current: () => Scope | undefined, capture: Capture): Listeners {
  const owner = new WeakMap<Function, Scope>()
  const sites = new WeakMap<Function, Site>()
  const madeIn = new WeakMap<object, Scope>()
  const byNode = new WeakSet<Function>()
  const proto = EventEmitter.prototype as unknown as Record<(typeof methods)[number], Function>
  const original = Object.fromEntries(methods.map((name) => [name, proto[name]])) as Record<(typeof methods)[number], Function>
  for (const name of methods) {
    const add = original[name]!
    proto[name] = function added(this: { _events?: Events; _maxListeners?: number }, type: string | symbol, listener: unknown) {
      const scope = current()
      // Node pipes a worker's stdout and stderr into the process's with the limit lifted: those
      // listeners are the worker's, whose own leak is reported, not a test's.
      if (this._maxListeners === Infinity && typeof listener === 'function') byNode.add(listener)
      else if (scope !== undefined && typeof listener === 'function') {
        const existing = this._events?.[type]
        const last = typeof existing === 'function' ? existing : existing?.[existing.length - 1]
        if (last === undefined ? madeIn.get(this) !== scope : owner.get(last) !== scope) sites.set(listener, capture(added))
        owner.set(listener, scope)
      }
      return add.apply(this, arguments)
    }
  }
  // Every EventEmitter, streams and sockets included, is set up through EventEmitter.init.
  const events = EventEmitter as unknown as { init: (this: object, ...args: unknown[]) => unknown }
  const init = events.init
  events.init = function (this: object) {
    const scope = current()
    if (scope !== undefined) madeIn.set(this, scope)
    return init.apply(this, arguments as unknown as unknown[])
  }
  return {
    owners(emitter, type) {
      const found = new Map<Scope, { count: number; site: Site | undefined }>()
      for (const listener of emitter.rawListeners(type)) {
        const scope = owner.get(listener)
        if (scope === undefined) continue
        const entry = found.get(scope) ?? { count: 0, site: undefined }
        entry.count++
        entry.site ??= sites.get(listener)
        found.set(scope, entry)
      }
      return found
    },
    byNode: (emitter, type) => emitter.rawListeners(type).some((listener) => byNode.has(listener)),
    stop() {
      for (const name of methods) proto[name] = original[name]!
      events.init = init
    },
  }
}
