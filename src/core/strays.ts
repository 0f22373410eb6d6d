import { type AsyncHook, createHook, executionAsyncResource } from 'node:async_hooks'
import type { Ownership } from './ownership.js'
import { now } from './real-timers.js'
import { factsOf, isAlive, typeOf } from './async-types.js'
import { type Finding, type Scope, testScope, type Tracked } from './scope.js'
import { capture, type Site } from './site.js'

/**
 * Code of a test that has ended, run while other tests are open: the callbacks of what it was let
 * leave alive (allowed, ignored, a timer waited for that a loaded machine had not run yet, a server
 * its suite holds, a leak not disposed of) and the continuations of its async functions. Each is
 * noted on the tests open as it runs (Scope.strays), so that one that fails can name them. Its
 * async_hooks hook is on only while an ended test has something alive: a run whose tests leave
 * nothing pays nothing for it.
 */
export class Strays {
  readonly #ownership: Ownership
  // What ended tests left alive, by the object async_hooks runs its callbacks with.
  readonly #left = new Map<object, Tracked>()
  readonly #hook: AsyncHook
  #on = false

  constructor(ownership: Ownership) {
    this.#ownership = ownership
    const left = this.#left
    this.#hook = createHook({
      before: () => {
        const tracked = left.get(executionAsyncResource())
        if (tracked !== undefined) this.#ran(tracked)
      },
      // Promises are not watched here: their continuations are told by the tracker (continued).
      trackPromises: false,
    } as Parameters<typeof createHook>[0])
  }

  /** Whether its hook is on: something an ended test left is alive. */
  get watching(): boolean {
    return this.#on
  }

  /** `test` was judged, and `left` of what it owned is still alive: their callbacks are watched from now on. */
  ended(test: Scope, left: readonly Tracked[]): void {
    test.endedAt = now()
    for (const tracked of left) if (isAlive(tracked.asyncType, tracked.resource, true)) this.#left.set(tracked.resource, tracked)
    if (this.#left.size > 0 && !this.#on) {
      this.#hook.enable()
      this.#on = true
    }
  }

  /** A test opens: what ended tests left and is gone is forgotten; once nothing is left, the hook is off. */
  testOpened(): void {
    if (!this.#on) return
    for (const [resource, tracked] of this.#left) if (!isAlive(tracked.asyncType, tracked.resource, true)) this.#left.delete(resource)
    if (this.#left.size === 0) this.stop()
  }

  /**
   * Code of judged `scope` made `resource`, a tracked type: made in a callback of what a test left
   * (a timer setting the next), it is watched as that one's, created where that one was.
   */
  made(asyncType: string, resource: object): void {
    if (!this.#on) return
    const parent = this.#left.get(executionAsyncResource())
    if (parent !== undefined) this.#left.set(resource, { asyncType, resource, owner: parent.owner, createdAt: now(), site: parent.site })
  }

  /**
   * Code of judged `scope` made a promise: a continuation of an async function of its runs. Noted
   * once on each test open, where a stack from `below` tells (taken only then).
   */
  continued(scope: Scope, below: Function): void {
    const from = testScope(scope)
    if (from.kind !== 'test') return
    let at: Site | undefined
    for (const open of this.#ownership.open) {
      if (open.kind !== 'test' || open === from || open.strays?.has(from)) continue
      at ??= capture(below, 8)
      ;(open.strays ??= new Map()).set(from, { from, finding: undefined, site: at, runs: 1 })
    }
  }

  stop(): void {
    if (!this.#on) return
    this.#hook.disable()
    this.#on = false
  }

  // A callback of `tracked`: noted on every test open but the one that left it, counted.
  #ran(tracked: Tracked): void {
    const from = testScope(tracked.owner)
    for (const open of this.#ownership.open) {
      if (open.kind !== 'test' || open === from) continue
      const strays = (open.strays ??= new Map())
      const stray = strays.get(tracked.resource)
      if (stray) stray.runs++
      else strays.set(tracked.resource, { from, finding: findingOf(tracked), site: tracked.site, runs: 1 })
    }
  }
}

const findingOf = (tracked: Tracked): Finding => ({ tracked, type: typeOf(tracked.asyncType, tracked.resource), facts: factsOf(tracked.asyncType, tracked.resource) })
