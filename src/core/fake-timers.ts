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
 * Makes `target[method]` (a `useFakeTimers`) tell `installed` about each call that installs `clock`
 * when it was not installed yet. Returns a function that puts the method back.
 */
export function onFakeTimersInstall(target: object, method: string, clock: FakeClock, installed: (clock: FakeClock, below: Function) => void): () => void {
  const holder = target as Record<string, unknown>
  const original = holder[method]
  if (typeof original !== 'function') return () => {}
  holder[method] = function useFakeTimers(this: unknown, ...args: unknown[]) {
    const was = clock.installed()
    const result = original.apply(this, args)
    if (!was && clock.installed()) installed(clock, useFakeTimers)
    return result
  }
  return () => {
    holder[method] = original
  }
}
