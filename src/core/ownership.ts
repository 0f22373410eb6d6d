import { AsyncLocalStorage, executionAsyncResource } from 'node:async_hooks'
import { Scope, testScope } from './scope.js'

/**
 * Which scope owns the code running now: the one its function ran in, followed through async
 * continuations; else the one adopted for code outside every scope (module bodies that a runner
 * evaluates). Keeps the scopes not judged yet, to tell which test is running.
 */
export class Ownership {
  readonly #context = new AsyncLocalStorage<Scope | undefined>()
  // The adopted scope, and whether a scope was ever adopted: only then can a callback be an adopted resource's.
  readonly #adoption: { ambient: Scope | undefined; adopting: boolean } = { ambient: undefined, adopting: false }
  // Async resources that code outside every scope made while a scope was adopted (a module body's
  // process.nextTick, a dns lookup of listen({ host })): their callbacks are still that scope's.
  readonly #adopted = new WeakMap<object, Scope>()
  // Each test's request handler scope, made on its first request that a server of the process serves.
  readonly #handlers = new WeakMap<Scope, Scope>()
  /**
   * Scopes not judged yet, but parts (judged with their test): for the watchdog to list, and to
   * tell which test was running when a judged one's floating call resumed.
   */
  readonly open = new Set<Scope>()

  constructor() {
    const context = this.#context
    // Where AsyncLocalStorage puts the store on a promise, if it does (before Node 24): found on a probe.
    const probe = new Scope('worker', 'probe')
    const probed = context.run(probe, () => Promise.resolve())
    // AsyncLocalStorage (Node < 24) keeps the store on each promise under a private symbol.
    const storeKey = Object.getOwnPropertySymbols(probed).find((key) => (probed as unknown as Record<symbol, unknown>)[key] === probe)
    // Closures over locals: the tracker's hook, which every promise of the process passes, asks these.
    const adoption = this.#adoption
    const adopted = this.#adopted
    const ambientScope = (): Scope | undefined => adoption.ambient ?? (adoption.adopting ? adopted.get(executionAsyncResource()) : undefined)
    const current = (this.current = (): Scope | undefined => context.getStore() ?? ambientScope())
    this.creating = (promise) => {
      const store = storeKey && (promise as Record<symbol, Scope | undefined>)[storeKey]
      return store === undefined ? current() : store
    }
    this.#ambientScope = ambientScope
  }

  /** The scope that owns the code running now. */
  readonly current: () => Scope | undefined

  /**
   * The scope whose code made `promise`: the store AsyncLocalStorage's own hook put on it (before
   * Node 24, and once that hook ran for a promise being created now), else the code running now.
   */
  readonly creating: (promise: object) => Scope | undefined

  readonly #ambientScope: () => Scope | undefined

  /**
   * The scope that owns an async resource (not a promise) being created now; one that code outside
   * every scope makes while a scope is adopted is noted as that scope's, so that its callbacks are.
   */
  creatingResource(resource: object): Scope | undefined {
    const scope = this.#context.getStore()
    if (scope !== undefined) return scope
    const ambient = this.#ambientScope()
    if (ambient !== undefined) this.#adopted.set(resource, ambient)
    return ambient
  }

  /** Whether a scope was ever adopted: then any async resource may carry one (see creatingResource). */
  get adopting(): boolean {
    return this.#adoption.adopting
  }

  /** Runs `fn` as code of `scope`. */
  run<R>(scope: Scope | undefined, fn: () => R): R {
    return this.#context.run(scope, fn)
  }

  /** Runs `fn` outside every scope. */
  outside<R>(fn: () => R): R {
    // Not exit(): before Node 24 it disables the store and enables it again, reinstalling Node's promise hooks.
    return this.#context.run(undefined, fn)
  }

  /** See Engine.enter. */
  enter(scope: Scope | undefined): void {
    this.#context.enterWith(scope)
  }

  /** See Engine.adopt. */
  adopt(scope: Scope | undefined): void {
    this.#adoption.ambient = scope
    if (scope) this.#adoption.adopting = true
  }

  /** The newest test not judged yet, else the newest other scope that is not the file's or worker's. */
  running(): Scope | undefined {
    let test: Scope | undefined
    let other: Scope | undefined
    for (const scope of this.open) {
      if (scope.kind === 'test') test = scope
      else if (!scope.outer) other = scope
    }
    return test ?? other
  }

  /** The scope of what a server of the process does for the requests that `scope` sends: a part of its test. */
  handlerOf(scope: Scope): Scope {
    const test = testScope(scope)
    let handler = this.#handlers.get(test)
    if (handler === undefined || !test.parts.includes(handler)) {
      handler = new Scope('handler', 'request handler', test)
      test.parts.push(handler)
      this.#handlers.set(test, handler)
    }
    return handler
  }

  /** Stops following scopes: before Node 24 each enabled AsyncLocalStorage adds a property to every promise of the process. */
  disable(): void {
    this.#context.disable()
  }
}
