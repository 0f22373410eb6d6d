import { AsyncLocalStorage, createHook } from 'node:async_hooks'
import { covered, describe, dispose, isAlive, isTrackedType, typeOf } from './resource-types.js'
import { Scope, type ScopeKind } from './scope.js'
import type { Settings } from './options.js'
import type { Finding, Tracked } from './tracked.js'

// Frames above the user's line in a creation stack: our hook, Node's emitInit and a library or two.
const STACK_DEPTH = 40
// A scope that creates many short-lived resources is pruned of the finished ones this often.
const PRUNE_EVERY = 2048

/**
 * The ownership engine: scopes own the async resources created while their code runs,
 * following async continuations, and report what they still own when they close.
 * Runner-agnostic: adapters open scopes, run user code in them, and close them.
 */
export class Engine {
  readonly settings: Settings
  readonly #context = new AsyncLocalStorage<Scope>()
  readonly #hook

  constructor(settings: Settings) {
    this.settings = settings
    const context = this.#context
    function init(_id: number, type: string, _trigger: number, resource: object): void {
      if (type === 'PROMISE' || !isTrackedType(type)) return
      const owner = context.getStore()
      if (owner === undefined || owner.closed) return
      const site: { stack?: string } = {}
      const limit = Error.stackTraceLimit
      Error.stackTraceLimit = STACK_DEPTH
      Error.captureStackTrace(site, init)
      Error.stackTraceLimit = limit
      const tracked: Tracked = { asyncType: type, resource, owner, createdAt: performance.now(), site }
      owner.resources.add(tracked)
      if (owner.resources.size % PRUNE_EVERY === 0) prune(owner)
    }
    // Node >= 24.10 can leave promises out of the hook: ownership is AsyncLocalStorage's job.
    this.#hook = createHook({ init, trackPromises: false } as Parameters<typeof createHook>[0])
  }

  /** Starts recording resources. */
  enable(): this {
    this.#hook.enable()
    return this
  }

  /** Stops recording resources. */
  disable(): void {
    this.#hook.disable()
  }

  /** A new scope, child of `parent`. It owns nothing until code runs in it. */
  open(kind: ScopeKind, name: string, parent?: Scope): Scope {
    return new Scope(kind, name, parent)
  }

  /** Runs `fn` so that everything it creates, now or after any await, belongs to `scope`. */
  run<R>(scope: Scope, fn: () => R): R {
    return this.#context.run(scope, fn)
  }

  /** The scope that owns the code running now. */
  current(): Scope | undefined {
    return this.#context.getStore()
  }

  /** What `scope` owns that is alive right now, without waiting. */
  pending(scope: Scope): Finding[] {
    const { countUnref, ignoreTypes, ignoreStacks } = this.settings
    const alive: Tracked[] = []
    const explained = new Set<unknown>()
    for (const tracked of scope.resources) {
      if (!isAlive(tracked.asyncType, tracked.resource, countUnref)) continue
      alive.push(tracked)
      for (const resource of covered(tracked.asyncType, tracked.resource)) explained.add(resource)
    }
    const findings: Finding[] = []
    for (const tracked of alive) {
      if (explained.has(tracked.resource)) continue
      const type = typeOf(tracked.asyncType, tracked.resource)
      if (ignoreTypes.has(type)) continue
      if (ignoreStacks.length > 0) {
        const stack = tracked.site.stack ?? ''
        if (ignoreStacks.some((p) => (typeof p === 'string' ? stack.includes(p) : p.test(stack)))) continue
      }
      findings.push({ tracked, type, description: describe(tracked.asyncType, tracked.resource) })
    }
    return findings
  }

  /**
   * Judges `scope`: gives closing resources up to `settleMs` to finish, then returns what is
   * still alive and, unless `dispose` is off, disposes of it. The scope owns nothing afterwards.
   */
  async close(scope: Scope): Promise<Finding[]> {
    scope.closed = true
    const deadline = performance.now() + this.settings.settleMs
    // Two turns reach the close callbacks of handles closed just before; then poll until the deadline.
    for (let turn = 0; this.pending(scope).length > 0; turn++) {
      if (turn >= 2 && performance.now() >= deadline) break
      await this.#context.exit(() => new Promise((resolve) => (turn < 2 ? setImmediate(resolve) : setTimeout(resolve, 1))))
    }
    const findings = this.pending(scope)
    scope.resources.clear()
    if (this.settings.dispose) for (const { tracked } of findings) dispose(tracked.asyncType, tracked.resource)
    return findings
  }
}

function prune(scope: Scope): void {
  for (const tracked of scope.resources) if (!isAlive(tracked.asyncType, tracked.resource, true)) scope.resources.delete(tracked)
}
