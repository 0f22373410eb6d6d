/** A runner's fake clock, as the engine judges it: a resource that is alive while it is installed. */
export interface FakeClock {
  /** How tests reach it, e.g. `vi` or `jest`: reports name its methods with it. */
  readonly api: string
  installed(): boolean
  /** How many fake timers are scheduled and not run. */
  pending(): number
  /** Puts the real timers back. */
  restore(): void
}

/**
 * Makes `target.useFakeTimers` call `installed`, with itself to take a stack below, each time it
 * installs `clock` when it was not installed yet. Returns a function that puts the method back.
 */
export function onFakeTimersInstall(target: object, clock: FakeClock, installed: (below: Function) => void): () => void {
  const holder = target as { useFakeTimers?: unknown }
  const original = holder.useFakeTimers
  if (typeof original !== 'function') return () => {}
  holder.useFakeTimers = function useFakeTimers(this: unknown, ...args: unknown[]) {
    const was = clock.installed()
    const result = original.apply(this, args)
    if (!was && clock.installed()) installed(useFakeTimers)
    return result
  }
  return () => {
    holder.useFakeTimers = original
  }
}

/** Fake timers that a test left pending under a clock that an enclosing scope installed. */
export interface PendingUnder {
  readonly clock: FakeClock
  /** How many were pending when the test started: the rest are the test's. */
  readonly baseline: number
  /** The title of the scope that installed the clock. */
  readonly installer: string
}
