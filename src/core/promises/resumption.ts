import { frameOrigin, framesOf, functionFrame } from '../frames.js'
import type { Finding, Scope } from '../scope.js'
import type { Site } from '../site.js'

/**
 * Floating calls that a judged scope left pending with no live work under them: nothing is known
 * to resume them, but other code still can (an event emitted later, a `resolve` kept somewhere).
 * Each is watched until it resumes: once, when it finishes (a reaction on its promise), and, for a
 * named function, each time its code creates a promise again (the engine asks `check` for promises
 * created by a judged scope's code). Only these few chains are watched; nothing is added to the
 * path of other promises.
 */
export class Resumptions {
  readonly #watched = new WeakMap<Scope, Watched[]>()

  /**
   * @param inScope runs a function as code of a scope, so that a rejection of the watched promise
   * stays the scope's unhandled rejection
   * @param resumed told once of each watched call that ran again, with where, when known
   */
  constructor(
    private readonly inScope: <R>(scope: Scope, fn: () => R) => R,
    private readonly resumed: (call: Finding, where: Site | undefined) => void,
  ) {}

  /** Watches `call`, a floating call of `scope` (which is being judged), until it runs again. */
  watch(scope: Scope, call: Finding): void {
    const name = call.asyncFunction
    const watched: Watched = { call, frame: name === undefined ? undefined : functionFrame(name), done: false }
    const list = this.#watched.get(scope)
    if (list) list.push(watched)
    else this.#watched.set(scope, [watched])
    const promise = call.tracked.resource as Promise<unknown>
    // Only a fulfilment handler: a rejection still reaches Node as unhandled, on a promise of the scope's.
    this.inScope(scope, () => promise.then(() => this.#resumed(scope, watched, undefined)))
  }

  /** Whether code of `scope` may be a watched call resuming: worth a stack to `check`. */
  watching(scope: Scope): boolean {
    return this.#watched.has(scope)
  }

  /** Looks for a watched call of `scope` on `stack`, the stack of code that `scope` runs after it was judged. */
  check(scope: Scope, site: Site): void {
    const top = framesOf(site.stack).find((line) => frameOrigin(line) !== 'node')
    if (top === undefined) return
    const watched = this.#watched.get(scope)?.find((w) => w.frame?.test(top))
    if (watched) this.#resumed(scope, watched, site)
  }

  #resumed(scope: Scope, watched: Watched, where: Site | undefined): void {
    if (watched.done) return
    watched.done = true
    const left = this.#watched.get(scope)?.filter((w) => !w.done) ?? []
    if (left.length > 0) this.#watched.set(scope, left)
    else this.#watched.delete(scope)
    this.resumed(watched.call, where)
  }
}

interface Watched {
  readonly call: Finding
  /** The function's own frame, as it shows on top of a stack when it runs. */
  readonly frame: RegExp | undefined
  done: boolean
}
