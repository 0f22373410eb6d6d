import { EventEmitter } from 'node:events'
import { failKindOfMistake } from './fail-on.js'
import { creationSite, frameOrigin, framesOf, locationOf, userFrames } from './frames.js'
import { matches, type Settings } from './options.js'
import type { Ownership } from './ownership.js'
import { observeProcess } from './process-events.js'
import { watchChaining } from './promises/track.js'
import type { Finding, Mistake, MistakeKind, Resumed, Scope } from './scope.js'
import { type Site, siteStacks } from './site.js'
import type { Listeners } from './sources/listeners.js'

/**
 * Sets `values` on `target` as an Error's own name and stack are set: not enumerable, since runners
 * print an error's enumerable properties beside it.
 */
export function hide<T extends object>(target: T, values: Record<string, unknown>): T {
  for (const [key, value] of Object.entries(values)) Object.defineProperty(target, key, { value, writable: true, configurable: true })
  return target
}

/**
 * The async mistakes of scopes' code (an uncaught error, an unhandled rejection, a warning, too
 * many listeners, a floating call that resumed, a slow callback, an unawaited assertion): each is
 * charged to the scope whose code made it, and fails it when it is judged; once it has been, to the
 * adapter's late failure of it, or else to the nearest enclosing scope not judged yet.
 */
export class Mistakes {
  readonly #settings: Pick<Settings, 'failOn' | 'ignoreWarnings' | 'warnings'>
  readonly #ownership: Ownership
  #onLate: ((mistake: Mistake) => boolean) | undefined
  // The tests charged for each emitter over its limit: one mistake each, whatever events it is over for.
  readonly #overLimit = new WeakMap<object, WeakSet<Scope>>()
  readonly #unhandled = new WeakMap<Promise<unknown>, Mistake>()
  // Promises that must be awaited, until they are or their scope is judged: empty but on Jest.
  readonly #mustAwait = new Map<Promise<unknown>, Scope>()
  #unwatchChaining: (() => void) | undefined

  constructor(settings: Pick<Settings, 'failOn' | 'ignoreWarnings' | 'warnings'>, ownership: Ownership) {
    this.#settings = settings
    this.#ownership = ownership
  }

  /**
   * Charges the process's uncaught errors, unhandled rejections and failing warnings to the scopes
   * whose code raised them; `listeners` tells whose listeners an emitter has. Returns a function that stops it.
   */
  observe(listeners: () => Listeners | undefined): () => void {
    const ownership = this.#ownership
    return observeProcess({
      uncaught: (error) => {
        const owner = ownership.current()
        // Thrown by a callback that disposing of its scope's leaks ran (a child's exit handler).
        if (owner?.state === 'disposed') return false
        this.charge(owner, 'uncaught', error)
        return true
      },
      unhandledRejection: (reason, promise) => {
        const owner = ownership.creating(promise)
        // A test whose leaks were disposed of fails for them already; a rejection its code meets
        // later (a fetch whose socket was closed) is what disposing caused, not a second mistake.
        if (owner?.state === 'disposed') return false
        const mistake = this.charge(owner, 'unhandled-rejection', reason)
        if (mistake) this.#unhandled.set(promise, mistake)
        return true
      },
      // Handled after Node reported it: the same mistake, better named if not yet reported.
      rejectionHandled: (promise) => {
        const mistake = this.#unhandled.get(promise)
        if (mistake) mistake.kind = 'late-handled-rejection'
      },
      warning: (warning) => {
        const { code, message } = warning as Error & { code?: unknown }
        const { ignoreWarnings, warnings } = this.#settings
        const excused = ignoreWarnings.some((p) => p === code || matches(p, String(message)))
        const action = excused ? 'warn' : warnings.get(warning?.name) ?? 'error'
        // Node warns of a late-handled rejection too; that is reported as such.
        if (action === 'error' && warning?.name !== 'PromiseRejectionHandledWarning') this.warned(warning, ownership.current(), listeners())
        return action !== 'ignore'
      },
    })
  }

  /** See Engine.mustAwait. */
  mustAwait(promise: Promise<unknown>, unawaited: Error): void {
    const scope = this.#ownership.current()
    if (scope === undefined || scope.judged) return
    scope.mustAwait.set(promise, unawaited)
    this.#mustAwait.set(promise, scope)
    this.#unwatchChaining ??= watchChaining(this.#mustAwait)
  }

  /** `scope` is being judged: each promise it had to await and did not is an unawaited assertion. */
  judging(scope: Scope): void {
    for (const [promise, unawaited] of scope.mustAwait) {
      this.#mustAwait.delete(promise)
      this.charge(scope, 'unawaited-assertion', unawaited)
    }
    scope.mustAwait.clear()
    // Nothing else to watch: every promise of the process would keep paying for the hook.
    if (this.#mustAwait.size === 0) this.stopWatching()
  }

  /** Stops watching promises that must be awaited. */
  stopWatching(): void {
    this.#unwatchChaining?.()
    this.#unwatchChaining = undefined
  }

  /** Charges an async mistake to `owner` (see the class); undefined if no scope is left to take it. */
  charge(owner: Scope | undefined, kind: MistakeKind, cause: unknown): Mistake | undefined {
    // Left out of failOn: reported with the nearest scope not judged yet, failing nothing.
    const reportOnly = !this.#settings.failOn.has(failKindOfMistake(kind))
    if (owner?.judged && this.#onLate && !reportOnly) {
      const mistake: Mistake = { kind, owner, cause, late: false, reportOnly }
      if (this.#onLate(mistake)) return mistake
    }
    let target = owner
    while (target?.judged) target = target.parent
    if (owner === undefined || target === undefined) return undefined
    const mistake: Mistake = { kind, owner, cause, late: target !== owner, reportOnly }
    target.mistakes.push(mistake)
    return mistake
  }

  /**
   * Adds a way to fail a judged scope itself (a test whose result the runner can still change)
   * with what its code did later; the adapter returns whether it could. Otherwise such a mistake
   * fails the nearest enclosing scope not judged yet.
   */
  onLate(fail: (mistake: Mistake) => boolean): void {
    this.#onLate = fail
  }

  /**
   * A process warning that fails: the code running now (`current`) emitted it; too many listeners
   * fail the ended tests that left theirs attached (`listeners` knows whose they are).
   */
  warned(warning: Error, current: Scope | undefined, listeners: Listeners | undefined): void {
    const { emitter, type } = warning as Error & { emitter?: EventEmitter; type?: string | symbol }
    const tooMany = warning.name === 'MaxListenersExceededWarning' && emitter instanceof EventEmitter && type !== undefined
    const left = tooMany ? [...(listeners?.owners(emitter, type) ?? [])].filter(([owner]) => owner.judged && !owner.outer) : []
    // Node's warning holds the emitter, which runners would serialize with the failure: a copy.
    const { code } = warning as Error & { code?: unknown }
    const copy = (stack: string | undefined): Error => hide(new Error(warning.message), { name: warning.name, stack, ...(typeof code === 'string' && { code }) })
    if (left.length === 0) {
      // Over its limit with listeners of workers' stdio: too many workers alive, each reported as such.
      if (tooMany && listeners?.liftedLimit(emitter, type)) return
      this.charge(current, 'warning', copy(warning.stack))
      return
    }
    // One emitter over its limit for several events (a stream's unpipe, error, close and finish) is one
    // mistake of each test; how many tests left theirs is said with each.
    let charged = this.#overLimit.get(emitter!)
    if (!charged) this.#overLimit.set(emitter!, (charged = new WeakSet()))
    // Where a listener was added is recorded where the emitter could outlive the scope (see
    // trackListeners): not for the first listener of a test that made the emitter itself, whose
    // failure points at where the other tests added theirs.
    const anySite = left.find(([, { site }]) => site !== undefined)?.[1].site
    for (const [owner, { count, site }] of left) {
      if (charged.has(owner)) continue
      charged.add(owner)
      const frames = addedAt(site ?? anySite)
      const stack = frames.length > 0 ? [`${warning.name}: ${warning.message}`, ...frames].join('\n') : undefined
      const added = frames[0] && { at: locationOf(frames[0]), byOthers: site === undefined }
      this.charge(owner, 'listeners', hide(copy(stack), { count, others: left.length - 1, added }))
    }
  }

  /**
   * A floating call of a judged scope ran again, at `where`, while the running test or hook ran:
   * the user's code ran after its scope because of it.
   */
  resumed(call: Finding, where: Site | undefined): void {
    const during = this.#ownership.running()
    const owner = call.tracked.owner
    const resumed: Resumed = {
      name: 'FloatingCallResumed',
      fn: call.asyncFunction,
      at: creationSite(where),
      during: during && during !== owner ? during.title : undefined,
      ownerKind: owner.kind,
      stack: siteStacks(call.tracked.site)[0] ?? '',
    }
    this.charge(owner, 'resumed', resumed)
  }
}

// The frames of where a listener was added: the user's, else the dependency's that added it.
function addedAt(site: Site | undefined): string[] {
  const user = userFrames(site)
  return user.length > 0 ? user : framesOf(site?.stack).filter((frame) => frameOrigin(frame) === 'dependency').slice(0, 1)
}
