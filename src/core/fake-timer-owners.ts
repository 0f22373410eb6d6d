import { type FakeClock, type PendingUnder, type Reinstalled, onFakeTimersInstall } from './fake-timers.js'
import type { Ownership } from './ownership.js'
import { now } from './real-timers.js'
import { type Scope, testScope } from './scope.js'
import { type Site, capture } from './site.js'

type Track = (type: string, resource: object, site: Site) => unknown

/**
 * Who owns fake timers: the test, hook or fixture that installed a runner's fake clock owns the
 * install, and a test under a clock that an enclosing scope installed owns the fake timers it adds.
 */
export class FakeTimerOwners {
  readonly #ownership: Ownership
  readonly #track: Track
  // The fake clock each scope installed, and where: tests under it own the fake timers they add.
  readonly #clocks = new WeakMap<Scope, { clock: FakeClock; site: Site }>()

  constructor(ownership: Ownership, track: Track) {
    this.#ownership = ownership
    this.#track = track
  }

  /** See Engine.watchFakeTimers. */
  watch(target: object, clock: FakeClock): () => void {
    // Who installed `clock` last when it was not installed: undefined if the runner did.
    let installer: Scope | undefined
    return onFakeTimersInstall(target, clock, (below, again) => {
      const scope = this.#ownership.current()
      if (!again) installer = scope
      if (!scope || scope.judged || scope.outer) return
      const site = capture(below)
      if (!again) {
        this.#track('FAKE_TIMERS', clock, site)
        this.#clocks.set(scope, { clock, site })
      } else if (!installer || testScope(installer) !== testScope(scope)) {
        // Over the file's, a suite's or the runner's clock: the test's, but the clock is not its to restore.
        const test = testScope(scope)
        for (const tracked of test.resources) if (tracked.asyncType === 'FAKE_TIMERS_PENDING') test.resources.delete(tracked)
        const reinstalled: Reinstalled = { clock, baseline: clock.pending() }
        this.#track('FAKE_TIMERS_AGAIN', reinstalled, site)
      }
    })
  }

  /** A test starts: under fake timers that an enclosing scope installed, it owns those it adds to them. */
  testOpened(test: Scope): void {
    for (let above = test.parent; above; above = above.parent) {
      const install = this.#clocks.get(above)
      if (!install?.clock.installed()) continue
      const under: PendingUnder = { clock: install.clock, baseline: install.clock.pending(), installer: above.title }
      test.resources.add({ asyncType: 'FAKE_TIMERS_PENDING', resource: under, owner: test, createdAt: now(), site: install.site })
      return
    }
  }
}
