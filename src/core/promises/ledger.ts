import { promiseHooks } from 'node:v8'
import { nextTurn } from '../own-work.js'
import { now } from '../real-timers.js'
import type { Site } from '../site.js'
import { Candidates } from './candidates.js'

/** A recorded promise not settled yet; `promise` is held only until the turn that made it ends. */
interface Pending {
  readonly ledger: PromiseLedger
  readonly key: number
  promise: Promise<unknown> | undefined
}

// A ledger holds a promise it records strongly until it settles or the event loop's turn ends,
// then through a WeakRef. Not a WeakRef at once: V8 keeps the target of a WeakRef alive until the
// job that made it ends, so a leak test that calls gc() in that job (jotai's, through
// jest-leak-detector) would find what the promise settled with still held. Not strongly for longer:
// a call that never settles must not keep what it holds from being collected (hono's leak tests).
const pendingOf = new WeakMap<Promise<unknown>, Pending>()
let madeThisTurn: Pending[] = []
let stopHook: Function | undefined
let watchers = 0

function weaken(): void {
  const made = madeThisTurn
  madeThisTurn = []
  for (const pending of made) {
    const { promise } = pending
    if (promise === undefined) continue
    pending.promise = undefined
    const ref = new WeakRef(promise)
    pending.ledger.recorded.weaken(pending.key, ref)
    pending.ledger.unawaited.weaken(pending.key, ref)
  }
}

/**
 * Makes ledgers forget each recorded promise as it settles, until the returned function is called
 * (as many times as this was). Meanwhile every promise of the process that settles costs a lookup.
 */
export function forgetSettled(): () => void {
  if (watchers++ === 0)
    stopHook = promiseHooks.onSettled((promise) => {
      const pending = pendingOf.get(promise)
      if (pending === undefined) return
      pendingOf.delete(promise)
      pending.promise = undefined
      pending.ledger.unawaited.delete(pending.key)
      pending.ledger.recorded.delete(pending.key)
    })
  let stopped = false
  return () => {
    if (stopped) return
    stopped = true
    if (--watchers === 0) stopHook?.()
  }
}

/** Creation stacks a scope gets before it has to earn them. */
export const STACKS_UP_FRONT = 16
/**
 * A scope earns one more creation stack for each this many µs it lives: ~5 µs each in code that
 * runs after an await, with its bookkeeping (~2%); 15-28 µs under a runner's deep synchronous
 * frames (BENCHMARKS.md, session 19), where a test's first roots are made.
 */
const US_PER_STACK = 250
// Roots passed over between two looks at the clock, once a scope's stacks up front are spent.
const ROOTS_PER_LOOK = 32

/**
 * A continuation of a recorded promise from another realm (a test's, in Jest's vm context), not
 * yet taken for a chain on it. V8 makes an `await` of a promise of another realm (a Node API's,
 * awaited in a test file) wrap it in a new promise whose parent is the awaiting async function's
 * own promise, and then chains on the wrapper at once: seen from the hook, the function awaiting
 * something of its own looks like something chaining on its promise. Only a continuation chained on
 * at once is looked at closer, with a stack (see track.ts); any other promise settles it.
 */
export interface Suspect {
  /** The key of the recorded promise continued. */
  readonly parentKey: number
  /** The key of the continuation. */
  readonly childKey: number
  /** Where the recorded promise was created. */
  readonly site: Site | undefined
}

/**
 * What a scope's code made that the promise rule looks at (track.ts writes it, verdict.ts reads
 * it): the roots of chains that got a creation stack, and which of them nothing chained on yet.
 * A stack costs microseconds, far more than the promise, so a scope gets a few up front and earns
 * more as it lives: promise-heavy code pays a bounded share of its time, while code that waits on
 * I/O gets a stack for nearly every chain. Promises are held weakly once the turn that made them
 * ends and forgotten as they settle (see forgetSettled), their stacks by the promise: what a
 * settled promise holds, and what a call that never settles holds, stays collectable while its test runs.
 */
export class PromiseLedger {
  /** Recorded promises that nothing has chained on yet: the candidates for floating calls. */
  readonly unawaited = new Candidates()
  /** Every promise recorded, awaited or not: what a test that times out waits on. */
  readonly recorded = new Candidates()
  /** Where each recorded promise was created; weak, as a stack holds the functions on it. */
  sites = new WeakMap<Promise<unknown>, Site>()
  /** A continuation of a recorded promise, not yet known to chain on it. */
  suspect: Suspect | undefined = undefined
  /** The next root is the promise of an async function that the runner calls and awaits: not recorded (see Engine.run). */
  runnerAwaitsNext = false
  readonly #openedAt = now()
  #stacks = STACKS_UP_FRONT
  #earned = 0
  #untilLook = 0

  /** Whether the next root gets a creation stack (see above); the answer spends it. */
  takeStack(): boolean {
    if (this.#stacks > 0) {
      this.#stacks--
      return true
    }
    if (--this.#untilLook > 0) return false
    this.#untilLook = ROOTS_PER_LOOK
    const earned = Math.floor(((now() - this.#openedAt) * 1000) / US_PER_STACK)
    if (earned <= this.#earned) return false
    this.#stacks += earned - this.#earned - 1
    this.#earned = earned
    return true
  }

  /** Records `promise`, a root made at `site`, under `key`. */
  add(key: number, promise: Promise<unknown>, site: Site): void {
    this.sites.set(promise, site)
    const pending: Pending = { ledger: this, key, promise }
    pendingOf.set(promise, pending)
    if (madeThisTurn.push(pending) === 1) nextTurn(weaken)
    this.recorded.add(key, promise)
    this.unawaited.add(key, promise)
  }

  /** Forgets every promise: its scope has been judged. */
  clear(): void {
    this.unawaited.clear()
    this.recorded.clear()
    // A promise can outlive its judged scope (a runner's listener on a test's AbortSignal keeps one,
    // and through its async context the scope): its stack need not.
    this.sites = new WeakMap()
    this.suspect = undefined
  }
}
