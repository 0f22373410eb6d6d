import { EventEmitter } from 'node:events'
import type { Scope } from '../scope.js'

/** Who added the listeners of emitters; see {@link trackListeners}. */
export interface Listeners {
  /** The scopes that added the listeners of `emitter` for `type` still attached, with how many each. */
  owners(emitter: EventEmitter, type: string | symbol): Map<Scope, number>
  stop(): void
}

const methods = ['addListener', 'on', 'prependListener'] as const

/**
 * Records which scope adds each listener to an EventEmitter, so that a MaxListenersExceededWarning
 * names the tests whose listeners are still attached, not whichever test added the one too many.
 * `once()` listeners are added through these methods too. A WeakMap entry per listener added.
 */
export function trackListeners(current: () => Scope | undefined): Listeners {
  const owner = new WeakMap<Function, Scope>()
  const proto = EventEmitter.prototype as unknown as Record<(typeof methods)[number], Function>
  const original = Object.fromEntries(methods.map((name) => [name, proto[name]])) as Record<(typeof methods)[number], Function>
  for (const name of methods) {
    const add = original[name]!
    proto[name] = function (this: unknown, type: unknown, listener: unknown) {
      const scope = current()
      if (scope !== undefined && typeof listener === 'function') owner.set(listener, scope)
      return add.apply(this, arguments)
    }
  }
  return {
    owners(emitter, type) {
      const counts = new Map<Scope, number>()
      for (const listener of emitter.rawListeners(type)) {
        const scope = owner.get(listener)
        if (scope) counts.set(scope, (counts.get(scope) ?? 0) + 1)
      }
      return counts
    },
    stop() {
      for (const name of methods) proto[name] = original[name]!
    },
  }
}
