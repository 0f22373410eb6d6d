import { withoutOwnFrames } from './frames.js'

/** What the engine learns from the process events that it observes. */
export interface ProcessObserver {
  /** Returns false when the error is to be dropped, as handled: async-debug caused it. */
  uncaught(error: unknown): boolean
  /** Returns false when the rejection is to be dropped, as handled: async-debug caused it. */
  unhandledRejection(reason: unknown, promise: Promise<unknown>): boolean
  rejectionHandled(promise: Promise<unknown>): void
  /** Returns false when the warning is to be dropped. */
  warning(warning: Error): boolean
}

type Emit = (this: NodeJS.Process, event: string | symbol, ...args: unknown[]) => boolean

// One registry per process, shared by every copy of this module (a runner may load several, in
// several realms: it is kept on `process`, which they share).
const registryKey = Symbol.for('async-debug.process-observers')
interface Registry {
  readonly observers: Set<ProcessObserver>
  // The payloads of the events that a layer of ours is passing on now: a deeper layer passes them on untouched.
  readonly passing: Set<unknown>
}
const holder = process as unknown as Record<symbol, Registry | undefined>
const registry: Registry = (holder[registryKey] ??= { observers: new Set(), passing: new Set() })
const layerMark = Symbol.for('async-debug.process-emit-layer')

/**
 * Observes error and warning events by wrapping `process.emit`, not by listening: the runners
 * report uncaught errors only while they are the sole listener, and their reports must stay.
 * The wrapper is never taken out, and calls whatever observers are registered at the time: a module
 * that saved `process.emit` and later puts it back (signal-exit does, around Jest's cache writes)
 * puts back one of ours. {@link ensureObserving} wraps again when someone replaced it meanwhile.
 * Returns a function that stops observing.
 */
export function observeProcess(observer: ProcessObserver): () => void {
  registry.observers.add(observer)
  ensureObserving()
  return () => void registry.observers.delete(observer)
}

/** Wraps `process.emit` again if it is not one of our wrappers (someone wrapped or replaced it since). */
export function ensureObserving(): void {
  if ((process.emit as unknown as Record<symbol, unknown>)[layerMark] === true) return
  const next = process.emit as unknown as Emit
  const layer: Emit = function (event, ...args) {
    const payload = args[0]
    // A rejection's reason may be any value; its promise is the one object to know the event by.
    const key = event === 'unhandledRejection' ? args[1] : payload
    // Seen by a layer of ours above this one: observed once only.
    if (registry.observers.size === 0 || registry.passing.has(key)) return next.call(this, event, ...args)
    // Made while a test ran under our wrappers, it carries their frames: the runner reports it as it is.
    if (event === 'uncaughtException' || event === 'unhandledRejection') withoutOwnFrames(payload)
    let forward = true
    try {
      for (const observer of registry.observers) {
        // Dropped as handled: Node ends the process on an error, and throws a rejection, that no listener took.
        if (event === 'uncaughtException' && !observer.uncaught(payload)) return true
        else if (event === 'unhandledRejection' && !observer.unhandledRejection(payload, args[1] as Promise<unknown>)) return true
        else if (event === 'rejectionHandled') observer.rejectionHandled(payload as Promise<unknown>)
        else if (event === 'warning') forward &&= observer.warning(payload as Error)
      }
    } catch {
      // Observing must never change what the process does with its events.
    }
    if (!forward) return false
    const object = typeof key === 'object' && key !== null
    if (object) registry.passing.add(key)
    try {
      return next.call(this, event, ...args)
    } finally {
      if (object) registry.passing.delete(key)
    }
  }
  Object.defineProperty(layer, layerMark, { value: true })
  process.emit = layer as unknown as typeof process.emit
}
