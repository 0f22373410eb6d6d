import { inspect } from 'node:util'

// Promises left unawaited (settled ones, mostly) are pruned when a scope holds this many.
const PRUNE_AT = 4096

/**
 * The promises of a scope that nothing has chained on yet, under ascending numeric keys (async
 * ids, or a counter). Code mostly awaits a promise right after making it, so the one chained on
 * is usually the newest: a stack sorted by key answers in O(1) there and by binary search
 * elsewhere. A Map's set and delete for every promise was the engine's largest own cost.
 * A promise is held strongly, then through a WeakRef once the ledger weakens it (ledger.ts), which
 * also takes it out as it settles.
 */
export class Candidates {
  readonly #keys: number[] = []
  // Parallel to #keys; `undefined` is a hole left by a promise chained on below the top.
  readonly #promises: (Promise<unknown> | WeakRef<Promise<unknown>> | undefined)[] = []
  #holes = 0
  #pruneAt = PRUNE_AT

  /** Adds `promise`; `key` must be greater than every key added before. */
  add(key: number, promise: Promise<unknown>): void {
    this.#keys.push(key)
    this.#promises.push(promise)
    if (this.#keys.length < this.#pruneAt) return
    this.keep(isPending)
    // Many promises still pending: prune again only when their number has doubled.
    this.#pruneAt = Math.max(PRUNE_AT, 2 * this.#keys.length)
  }

  /**
   * Forgets the promise under `key`, if it is here, unless `keep` says to keep it; returns it
   * either way. One search, on the path of every continuation of a scope's promise.
   */
  delete(key: number, keep?: (promise: Promise<unknown>) => boolean): Promise<unknown> | undefined {
    const index = this.#indexOf(key)
    if (index < 0) return undefined
    const promise = target(this.#promises[index])
    if (promise !== undefined && keep?.(promise)) return promise
    if (index === this.#keys.length - 1) this.#pop()
    else this.#hole(index)
    return promise
  }

  #indexOf(key: number): number {
    const keys = this.#keys
    let hi = keys.length - 1
    if (hi < 0 || key > keys[hi]! || key < keys[0]!) return -1
    if (keys[hi] === key) return hi
    let lo = 0
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      const at = keys[mid]!
      if (at === key) return mid
      if (at < key) lo = mid + 1
      else hi = mid - 1
    }
    return -1
  }

  /** Forgets `promise`, if it is here: found by identity, newest first, for a promise whose key is not known. */
  forget(promise: Promise<unknown>): void {
    const promises = this.#promises
    for (let i = promises.length - 1; i >= 0; i--) {
      if (target(promises[i]) !== promise) continue
      if (i === promises.length - 1) this.#pop()
      else this.#hole(i)
      return
    }
  }

  #hole(index: number): void {
    if (index < 0 || this.#promises[index] === undefined) return
    this.#promises[index] = undefined
    if (++this.#holes > 64 && this.#holes * 2 > this.#keys.length) this.keep(() => true)
  }

  #pop(): void {
    const keys = this.#keys
    const promises = this.#promises
    keys.pop()
    promises.pop()
    while (promises.length > 0 && promises[promises.length - 1] === undefined) {
      keys.pop()
      promises.pop()
      this.#holes--
    }
  }

  /** Keeps only the promises that `wanted` accepts, and closes the holes. */
  keep(wanted: (promise: Promise<unknown>) => boolean): void {
    const keys = this.#keys
    const promises = this.#promises
    let n = 0
    for (let i = 0; i < keys.length; i++) {
      const entry = promises[i]
      const promise = target(entry)
      if (promise === undefined || !wanted(promise)) continue
      keys[n] = keys[i]!
      promises[n++] = entry
    }
    keys.length = n
    promises.length = n
    this.#holes = 0
  }

  /** The promises still here, oldest first. */
  *[Symbol.iterator](): IterableIterator<Promise<unknown>> {
    for (const entry of this.#promises) {
      const promise = target(entry)
      if (promise !== undefined) yield promise
    }
  }

  /** Holds the promise under `key`, if it is here, through `ref` only. */
  weaken(key: number, ref: WeakRef<Promise<unknown>>): void {
    const index = this.#indexOf(key)
    if (index >= 0 && this.#promises[index] !== undefined) this.#promises[index] = ref
  }

  clear(): void {
    this.#keys.length = 0
    this.#promises.length = 0
    this.#holes = 0
    this.#pruneAt = PRUNE_AT
  }
}

const target = (entry: Promise<unknown> | WeakRef<Promise<unknown>> | undefined): Promise<unknown> | undefined => (entry instanceof WeakRef ? entry.deref() : entry)

/** Whether a promise is still pending; JavaScript has no other way to ask. Only used on candidates. */
export function isPending(promise: Promise<unknown>): boolean {
  const shown = inspect(promise, { depth: 0, maxArrayLength: 0, maxStringLength: 0, breakLength: Infinity, customInspect: false })
  return /^[^{]*\{ <pending>[ ,]/.test(shown)
}
