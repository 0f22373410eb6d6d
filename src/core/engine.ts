import { AsyncLocalStorage, createHook } from 'node:async_hooks'
import { installPatches } from './patches.js'
import { covered, describe, dispose, isAlive, isTrackedType, origin, typeOf } from './resource-types.js'
import { Scope, type ScopeKind } from './scope.js'
import type { Settings } from './options.js'
import { type Finding, type Site, type Tracked, siteStacks } from './tracked.js'

// Frames above the user's line in a creation stack: our hook, Node's internals and a library or two.
const STACK_DEPTH = 40
// A scope that creates many short-lived resources is pruned of the finished ones this often.
const PRUNE_EVERY = 2048

/** Where the code calling `below` is; V8 formats the stack only when `site.stack` is first read. */
function capture(below: Function): Site {
  const site: Site = { cause: undefined }
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = STACK_DEPTH
  Error.captureStackTrace(site, below)
  Error.stackTraceLimit = limit
  return site
}

/**
 * The ownership engine: scopes own the async resources created while their code runs,
 * following async continuations, and report what they still own when they close.
 * Runner-agnostic: adapters open scopes, run user code in them, and close them.
 */
export class Engine {
  readonly settings: Settings
  readonly #context = new AsyncLocalStorage<Scope>()
  readonly #hook
  #unpatch: (() => void) | undefined

  constructor(settings: Settings) {
    this.settings = settings
    const context = this.#context
    this.record = (type, resource, site) => {
      const owner = context.getStore()
      if (owner === undefined || owner.closed) return
      owner.resources.add({ asyncType: type, resource, owner, createdAt: performance.now(), site })
      if (owner.resources.size % PRUNE_EVERY === 0) prune(owner)
    }
    const record = this.record
    function init(_id: number, type: string, _trigger: number, resource: object): void {
      if (type === 'PROMISE' || !isTrackedType(type) || context.getStore() === undefined) return
      record(type, resource, capture(init))
    }
    // Node >= 24.10 can leave promises out of the hook: ownership is AsyncLocalStorage's job.
    this.#hook = createHook({ init, trackPromises: false } as Parameters<typeof createHook>[0])
  }

  /** Records `resource` as created by the code running now, at `site`. */
  readonly record: (type: string, resource: object, site: Site) => void

  /** Starts recording resources. */
  enable(): this {
    this.#hook.enable()
    this.#unpatch ??= installPatches(capture, this.record)
    return this
  }

  /** Stops recording resources. */
  disable(): void {
    this.#hook.disable()
    this.#unpatch?.()
    this.#unpatch = undefined
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
      tracked.site.cause ??= origin(tracked.asyncType, tracked.resource)
      if (ignoreStacks.length > 0) {
        const stack = siteStacks(tracked.site).join('\n')
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
