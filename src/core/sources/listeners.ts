import { EventEmitter } from 'node:events'
import type { Scope } from '../scope.js'
import type { Capture, Site } from '../site.js'

/** Who added the listeners of emitters, and where; see {@link trackListeners}. */
export interface Listeners {
  /**
   * The scopes that added the listeners of `emitter` for `type` still attached, with how many each
   * and where the first of them that was recorded with a site was added.
   */
  owners(emitter: EventEmitter, type: string | symbol): Map<Scope, { count: number; site: Site | undefined }>
  /** Whether some of them were added while the emitter's limit was lifted: Node's pipes of a worker's stdio (see trackListeners). */
  liftedLimit(emitter: EventEmitter, type: string | symbol): boolean
  stop(): void
}

const methods = ['addListener', 'on', 'prependListener'] as const
// Node's own fields of an EventEmitter: its listeners by event, and its limit.
type Emitter = { _events?: Record<string | symbol, Function | Function[] | undefined>; _maxListeners?: number }

/**
 * Records which scope adds each listener to an EventEmitter, so that a MaxListenersExceededWarning
 * names the tests whose listeners are still attached, not whichever test added the one too many.
 * `once()` listeners are added through these methods too. A WeakMap entry per listener added, and
 * one per emitter made in a scope. Where a listener was added is recorded only where an emitter can
 * outlive the scope adding to it: one that it did not make, or whose last listener of that type
 * another scope added (a stack costs microseconds; an emitter's own code adds listeners all the time).
 * An emitter that code of a judged scope makes (the next response on a keep-alive socket, parsed
 * in the context of the test that opened the socket) is the first scope's that adds a listener to
 * it where none of that type is attached, as if that scope had made it: the request and its
 * response are the adding test's own.
 */
export function trackListeners(current: () => Scope | undefined, capture: Capture): Listeners {
  const owner = new WeakMap<Function, Scope>()
  const sites = new WeakMap<Function, Site>()
  // Who made each emitter made in a scope; null for one made by code of a judged scope, until a scope adopts it.
  const madeIn = new WeakMap<object, Scope | null>()
  const lifted = new WeakSet<Function>()
  const proto = EventEmitter.prototype as unknown as Record<(typeof methods)[number], Function>
  const original = Object.fromEntries(methods.map((name) => [name, proto[name]])) as Record<(typeof methods)[number], Function>
  for (const name of methods) {
    const add = original[name]!
    proto[name] = function added(this: Emitter, type: string | symbol, listener: unknown) {
      if (typeof listener === 'function') note(this, type, listener, added)
      return add.apply(this, arguments)
    }
  }
  function note(emitter: Emitter, type: string | symbol, listener: Function, below: Function): void {
    // Node pipes a worker's stdout and stderr into the process's with the limit lifted: those
    // listeners are the worker's, whose own leak is reported, not a test's.
    if (emitter._maxListeners === Infinity) return void lifted.add(listener)
    const scope = current()
    if (scope === undefined) return
    const existing = emitter._events?.[type]
    const last = typeof existing === 'function' ? existing : existing?.[existing.length - 1]
    if (last === undefined ? !madeBy(emitter, scope) : owner.get(last) !== scope) sites.set(listener, capture(below))
    owner.set(listener, scope)
  }
  // Whether `scope` made `emitter`, or adopts it now: the first scope to add a listener of a type it has none of.
  function madeBy(emitter: object, scope: Scope): boolean {
    const maker = madeIn.get(emitter)
    if (maker !== null) return maker === scope
    madeIn.set(emitter, scope)
    return true
  }
  // Every EventEmitter, streams and sockets included, is set up through EventEmitter.init.
  const events = EventEmitter as unknown as { init: (this: object, ...args: unknown[]) => unknown }
  const init = events.init
  events.init = function (this: object) {
    const scope = current()
    if (scope !== undefined) madeIn.set(this, scope.judged ? null : scope)
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
    liftedLimit: (emitter, type) => emitter.rawListeners(type).some((listener) => lifted.has(listener)),
    stop() {
      for (const name of methods) proto[name] = original[name]!
      events.init = init
    },
  }
}
