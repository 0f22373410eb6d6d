/** A runner's fake clock, as the engine judges it: a resource that is alive while it is installed. */
export interface FakeClock {
  /** How tests reach it, e.g. `vi` or `jest`: reports name its methods with it. */
  readonly api: string
  installed(): boolean
  /** How many fake timers are scheduled and not run. */
  pending(): number
  /** Puts the real timers back. */
  restore(): void
  /** Drops the pending fake timers, leaving the fake timers installed. */
  clear(): void
}

/**
 * Makes `target.useFakeTimers` call `installed` each time it installs `clock`, with itself to take
 * a stack below, and whether it was installed already (both runners then install a new clock).
 * Returns a function that puts the method back.
 */
export function onFakeTimersInstall(target: object, clock: FakeClock, installed: (below: Function, again: boolean) => void): () => void {
  const holder = target as { useFakeTimers?: unknown }
  const original = holder.useFakeTimers
  if (typeof original !== 'function') return () => {}
  holder.useFakeTimers = function useFakeTimers(this: unknown, ...args: unknown[]) {
    const was = clock.installed()
    const result = original.apply(this, args)
    if (clock.installed()) installed(useFakeTimers, was)
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

/** Fake timers that a test installed again over those of the file, a suite or the runner: the clock stays, what it left pending is dropped. */
export interface Reinstalled {
  readonly clock: FakeClock
  /** How many were pending once it was installed again (none on Vitest and Jest's modern timers, which make a new clock). */
  readonly baseline: number
}
