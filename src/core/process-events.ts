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

/**
 * Observes error and warning events by wrapping `process.emit`, not by listening: the runners
 * report uncaught errors only while they are the sole listener, and their reports must stay.
 * Returns a function that stops observing.
 */
export function observeProcess(observer: ProcessObserver): () => void {
  const emit = process.emit
  let active = true
  const observing = function (this: NodeJS.Process, event: string | symbol, ...args: unknown[]): boolean {
    let forward = true
    if (active)
      try {
        // Dropped as handled: Node ends the process on an error, and throws a rejection, that no listener took.
        if (event === 'uncaughtException' && !observer.uncaught(args[0])) return true
        else if (event === 'unhandledRejection' && !observer.unhandledRejection(args[0], args[1] as Promise<unknown>)) return true
        else if (event === 'rejectionHandled') observer.rejectionHandled(args[0] as Promise<unknown>)
        else if (event === 'warning') forward = observer.warning(args[0] as Error)
      } catch {
        // Observing must never change what the process does with its events.
      }
    return forward ? (emit as Function).call(this, event, ...args) : false
  }
  process.emit = observing as typeof process.emit
  return () => {
    active = false
    // Someone may have wrapped emit after us; then our wrapper stays, inactive.
    if (process.emit === observing) process.emit = emit
  }
}
