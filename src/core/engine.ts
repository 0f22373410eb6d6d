import { AsyncLocalStorage, createHook, executionAsyncId, executionAsyncResource } from 'node:async_hooks'
import { types } from 'node:util'
import { type FakeClock, type PendingUnder, type Reinstalled, onFakeTimersInstall } from './fake-timers.js'
import { batched, fetchSites, installPatches, requestSites } from './patches.js'
import { trackDescriptors } from './sources/fs-descriptors.js'
import { trackRequests } from './sources/http-requests.js'
import { type Listeners, trackListeners } from './sources/listeners.js'
import { now, setImmediate, setTimeout } from './real-timers.js'
import { makingOwn } from './own-work.js'
import { ensureObserving, observeProcess } from './process-events.js'
import { forgetSettled } from './promises/ledger.js'
import { type PromiseRecorder, promiseRecorder, trackPromises, watchChaining } from './promises/record.js'
import { Resumptions } from './promises/resumption.js'
import { awaitedPromises, callsAmong, candidates, floatingCalls, foldAwaitedBy } from './promises/verdict.js'
import { covered, describe, dispose, isAlive, isClosing, isPassive, isTrackedType, origin, typeOf } from './resource-types.js'
import { type Excused, type Finding, type Mistake, type MistakeKind, Scope, type ScopeKind, type SlowCallback, testScope, type Tracked } from './scope.js'
import { matches, type Settings } from './options.js'
import { byTarget, Excuses } from './excuses.js'
import { hide, Mistakes } from './mistakes.js'
import { SlowCallbacks, started } from './slow-callbacks.js'
import { delayOf, dueAt, fired, loopNow } from './timer-due.js'
import { type Watchdog, watchdog } from './watchdog.js'
import { domTimerOf } from './dom-timers.js'
import { byNodeFetch, creationSite, framesOf, locationOf, madeBy, makerFrame, nodeHousekeeping, rejectingWithoutOwnFrames, withoutOwnFrames } from './frames.js'
import type { Site } from './site.js'

// Frames above the user's line in a creation stack: our hook, Node's internals and a library or two.
const STACK_DEPTH = 40
// Turns that a scope's floating calls are given to finish before it is judged, at least: two, then timers'.
const FLOATING_TURNS = 3
// How long past its due time a timer that ends on its own is waited for, on a machine too loaded to run it in time.
const DUE_TIMER_WAIT_MS = 1000
// How long a resource asked to stop (a killed child, an ended socket) is waited for to finish, on a
// machine too loaded to finish it within settleMs.
const CLOSING_WAIT_MS = 3000
// How far past the settle deadline a dependency's one-off timer may be due, and be waited for.
const DEPENDENCY_TIMER_MS = 1000
// How long floating calls are waited for while one-off requests (an fs read, a DNS lookup) are in
// flight, which will resume them, on a machine too loaded to finish them within settleMs.
const REQUEST_WAIT_MS = 1000
// Node's names of one-off requests, as process.getActiveResourcesInfo() lists them: FSReqPromise, GetAddrInfoReqWrap…
const ONE_OFF_REQUEST = /Req/
// A scope that creates many short-lived resources is pruned of the finished ones this often.
const PRUNE_EVERY = 2048

/** Where the code calling `below` is; V8 formats the stack only when `site.stack` is first read. */
function capture(below: Function, depth = STACK_DEPTH): Site {
  const site: Site = { cause: undefined }
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = depth
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
  readonly #context = new AsyncLocalStorage<Scope | undefined>()
  readonly #names = new WeakMap<object, string>()
  // Lines whose floating calls did not finish within a scope's settling: not waited for again.
  readonly #unfinished = new Set<string>()
  // Resources that expectNoPendingTasks() has reported already: disposed of at their scope's end, not reported again.
  readonly #reported = new WeakSet<object>()
  // The fake clock each scope installed, and where: tests under it own the fake timers they add.
  readonly #clocks = new WeakMap<Scope, { clock: FakeClock; site: Site }>()
  readonly #asyncHook
  // What enable() started: each function stops one source of events.
  readonly #stops: (() => void)[] = []
  readonly #requestSites = requestSites(capture)
  #listeners: Listeners | undefined
  // Who sent each request in flight: the work a server of the process does for it is theirs.
  readonly #requestOwners = new WeakMap<object, Scope>()
  // Each test's request handler scope, made on its first request that a server of the process serves.
  readonly #handlers = new WeakMap<Scope, Scope>()
  #unwatchChaining: (() => void) | undefined
  readonly #recordPromise: PromiseRecorder
  // AsyncLocalStorage (Node < 24) keeps the store on each promise under a private symbol.
  readonly #storeKey: symbol | undefined
  readonly #unhandled = new WeakMap<Promise<unknown>, Mistake>()
  #ambient: Scope | undefined
  // Whether a scope was ever adopted: only then can a callback be an adopted resource's.
  #adopting = false
  readonly #ambientScope: () => Scope | undefined
  // Promises that must be awaited, until they are or their scope is judged: empty but on Jest.
  readonly #mustAwait = new Map<Promise<unknown>, Scope>()
  readonly #excuses: Excuses
  readonly #mistakes: Mistakes
  readonly #onSlowCallback: ((slow: SlowCallback) => void) | undefined
  readonly #onStuck: EngineAdapter['onStuck']
  #watchdog: Watchdog | undefined
  // Scopes not judged yet, but hooks' (judged with their test): for the watchdog to list, and to
  // tell which test was running when a judged one's floating call resumed.
  readonly #open = new Set<Scope>()
  readonly #slowCallbacks: SlowCallbacks
  readonly #resumptions: Resumptions
  // Told of code that a judged scope runs, when it creates a promise.
  readonly #judgedCode: (scope: Scope, below: Function) => void
  readonly #modulesPerFile: boolean
  // What was let pass but must not outlive its file (see EngineAdapter.modulesPerFile).
  readonly #endWithFile = new Set<Tracked>()

  /**
   * @param runnerCode where the runner's own code lives: what it creates on its own behalf while
   * a test calls it (a reporter's buffered stdout flush) is not the test's.
   */
  constructor(settings: Settings, { runnerCode, onSlowCallback, onStuck, modulesPerFile = false }: EngineAdapter = {}) {
    this.settings = settings
    this.#modulesPerFile = modulesPerFile
    this.#excuses = new Excuses(settings, runnerCode)
    this.#mistakes = new Mistakes(settings.failOn)
    this.#onSlowCallback = onSlowCallback
    this.#onStuck = onStuck
    const { slowCallbackMs } = settings
    // Kept off the path of every promise unless timeAllCallbacks needs it.
    const locateContinuations = slowCallbackMs > 0 && settings.timeAllCallbacks
    const context = this.#context
    // Async resources that code outside every scope made while a scope was adopted (a module body's
    // process.nextTick, a dns lookup of listen({ host })): their callbacks are still that scope's.
    const adopted = new WeakMap<object, Scope>()
    const engine = this
    const ambient = (this.#ambientScope = (): Scope | undefined => this.#ambient ?? (this.#adopting ? adopted.get(executionAsyncResource()) : undefined))
    // Where AsyncLocalStorage puts the store on a promise, if it does (before Node 24): found on a probe.
    const probe = new Scope('worker', 'probe')
    const probed = context.run(probe, () => Promise.resolve())
    const storeKey = Object.getOwnPropertySymbols(probed).find((key) => (probed as unknown as Record<symbol, unknown>)[key] === probe)
    this.#storeKey = storeKey
    const slowCallbacks = (this.#slowCallbacks = new SlowCallbacks(slowCallbackMs, settings.timeAllCallbacks, () => this.current(), (owner, what, took, site) => {
      const message = `${what} blocked the event loop for ${Math.round(took)} ms (slowCallbackMs: ${slowCallbackMs})`
      // A failure's cause is an error of its message and stack only: runners serialize all it holds.
      if (settings.failOn.has('slow-callbacks')) this.charge(owner, 'slow-callback', hide(new Error(message), { name: 'SlowCallback', stack: [`SlowCallback: ${message}`, ...framesOf(site?.stack)].join('\n') }))
      else {
        const slow: SlowCallback = {
          name: 'SlowCallback',
          message,
          owner,
          site,
          get stack() {
            return site?.stack
          },
        }
        if (!owner.judged) owner.slow.push(slow)
        this.#onSlowCallback?.(slow)
      }
    }))
    // Until judged: a handle can be created a tick after the code that asked for it (listen on a host).
    const owner = (): Scope | undefined => {
      const scope = context.getStore() ?? ambient()
      return scope?.judged ? undefined : scope
    }
    // Each tracked resource by its object, for what its callbacks make: a timer set again from its
    // callback (jsdom's setInterval) is caused by it, and a handle that Node makes in one is placed by it.
    const byResource = new WeakMap<object, Tracked>()
    const add = (scope: Scope, type: string, resource: object, site: Site, armedBy?: object, ranIn?: Site): void => {
      const tracked: Tracked = { asyncType: type, resource, owner: scope, createdAt: now(), site, armedBy, ranIn }
      byResource.set(resource, tracked)
      scope.resources.add(tracked)
      slowCallbacks.created(tracked)
      if (scope.resources.size % PRUNE_EVERY === 0) prune(scope)
    }
    this.record = (type, resource, site) => {
      const scope = owner()
      if (scope !== undefined) add(scope, type, resource, site)
      return scope
    }
    const recordOnly = promiseRecorder(capture, settings.tracePromises)
    const recordPromise: PromiseRecorder = (this.#recordPromise = !locateContinuations
      ? recordOnly
      : (scope, promise, key, parentKey, below) => {
          const recorded = recordOnly(scope, promise, key, parentKey, below)
          slowCallbacks.promise(promise, key, parentKey, scope.promises.sites.get(promise))
          return recorded
        })
    const resumptions = (this.#resumptions = new Resumptions(
      (scope, fn) => context.run(scope, fn),
      (call, where) => this.#mistakes.resumed(call, where, this.#running()),
    ))
    // Code of a judged scope creates a promise: a floating call of its may have resumed.
    this.#judgedCode = (scope, below) => {
      if (resumptions.watching(scope)) resumptions.check(scope, capture(below, 8))
    }
    const judgedCode = this.#judgedCode
    // Every async resource of the process passes here: one store lookup, a stack only for the tracked.
    function init(id: number, type: string, trigger: number, resource: object): void {
      if (type === 'PROMISE') {
        // The store that AsyncLocalStorage's own hook just put on the promise, if it ran first.
        const store = storeKey && (resource as Record<symbol, Scope | undefined>)[storeKey]
        const scope = store === undefined ? context.getStore() ?? ambient() : store
        if (scope === undefined) return
        if (scope.judged) return judgedCode(scope, init)
        // A new chain's trigger is the code running now; a continuation's is its parent.
        const parent = trigger === executionAsyncId() ? undefined : trigger
        recordPromise(scope, resource as Promise<unknown>, id, parent, init)
        return
      }
      // An untracked resource (a tick, a dns lookup) matters only as a carrier of an adopted scope.
      if (makingOwn || (!engine.#adopting && !isTrackedType(type))) return
      let scope = context.getStore()
      if (scope === undefined) {
        scope = ambient()
        if (scope === undefined) return
        adopted.set(resource, scope)
      }
      if (scope.judged || !isTrackedType(type)) return
      const site = capture(init)
      const parent = byResource.get(executionAsyncResource())
      if (type !== 'Timeout' || parent?.asyncType !== 'Timeout') return add(scope, type, resource, site, undefined, parent?.site)
      // The cause's own cause, if it has one: a chain of timers, each set by the last, stays two long.
      site.cause = parent.site.cause ?? parent.site
      add(scope, type, resource, site, parent.resource)
    }
    // Node lines with `trackPromises` leave promises out of the hook: they are v8.promiseHooks' job.
    this.#asyncHook = createHook({ init, trackPromises: false } as Parameters<typeof createHook>[0])
  }

  /** Records `resource` as created by the code running now, at `site`; returns the scope that owns it. */
  readonly record: (type: string, resource: object, site: Site) => Scope | undefined

  /** Starts recording resources; `global` is the test code's global object, whose fetch() is watched (see fetchSites). */
  enable(global: { fetch?: unknown } = globalThis): this {
    this.#asyncHook.enable()
    this.#slowCallbacks.enable()
    if (this.#stops.length > 0) return this
    const stops = this.#stops
    batched(() => {
      stops.push(installPatches(capture, this.record))
      this.#requestSites.update()
      stops.push(() => this.#requestSites.restore())
      stops.push(trackDescriptors(capture, this.record))
    })
    const listeners = (this.#listeners = trackListeners(() => this.current(), capture))
    stops.push(() => {
      listeners.stop()
      this.#listeners = undefined
    })
    const { record } = this
    const engine = this
    const requestOwners = this.#requestOwners
    stops.push(fetchSites(global, capture))
    stops.push(trackRequests({
      sent: function sent(this: void, request) {
        // A judged scope's code owns no new resource, but the server's work for its request is still not the server's.
        const owner = record('HTTP_REQUEST', request, capture(sent)) ?? engine.current()
        if (owner) requestOwners.set(request, owner)
      },
      ownerOf: (request) => requestOwners.get(request),
      enter: (scope) => this.enter(scope.judged ? scope : this.#handlerOf(scope)),
    }))
    if (!asyncHooksSeePromises()) stops.push(trackPromises(() => this.current(), this.#recordPromise, this.#judgedCode))
    stops.push(forgetSettled())
    const { watchdogSeconds } = this.settings
    if (watchdogSeconds > 0) {
      const dog = (this.#watchdog = watchdog(watchdogSeconds * 1000, (idleMs) =>
        this.#onStuck?.(idleMs, [...this.#open].map((scope) => ({ scope, findings: this.waitingOn(scope) })).filter(({ findings }) => findings.length > 0)),
      ))
      stops.push(() => {
        dog.stop()
        this.#watchdog = undefined
      })
    }
    stops.push(observeProcess({
      uncaught: (error) => {
        const owner = this.current()
        // Thrown by a callback that disposing of its scope's leaks ran (a child's exit handler).
        if (owner?.disposed) return false
        this.charge(owner, 'uncaught', error)
        return true
      },
      unhandledRejection: (reason, promise) => {
        const owner = this.#ownerOf(promise)
        // A test whose leaks were disposed of fails for them already; a rejection its code meets
        // later (a fetch whose socket was closed) is what disposing caused, not a second mistake.
        if (owner?.disposed) return false
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
        const excused = this.settings.ignoreWarnings.some((p) => p === code || matches(p, String(message)))
        const action = excused ? 'warn' : this.settings.warnings.get(warning?.name) ?? 'error'
        // Node warns of a late-handled rejection too; that is reported as such.
        if (action === 'error' && warning?.name !== 'PromiseRejectionHandledWarning') this.#mistakes.warned(warning, this.current(), this.#listeners)
        return action !== 'ignore'
      },
    }))
    return this
  }

  /** Stops recording resources. */
  disable(): void {
    this.#asyncHook.disable()
    this.#slowCallbacks.disable()
    // Before Node 24 each enabled AsyncLocalStorage adds a property to every promise of the process.
    this.#context.disable()
    // What enable() started, stopped in reverse.
    batched(() => {
      for (const stop of this.#stops.splice(0).reverse()) stop()
    })
    this.#unwatchChaining?.()
    this.#unwatchChaining = undefined
  }

  /**
   * Makes each install of `clock` through `target.useFakeTimers()` a resource of the test, hook or
   * fixture calling it: still installed when that scope is judged, it fails it. Installed at import
   * time, or by the runner (Jest's `fakeTimers.enableGlobally`), it lasts the file and is not judged.
   * Returns a function that puts `useFakeTimers` back.
   */
  watchFakeTimers(target: object, clock: FakeClock): () => void {
    // Who installed `clock` last when it was not installed: undefined if the runner did.
    let installer: Scope | undefined
    return onFakeTimersInstall(target, clock, (below, again) => {
      const scope = this.current()
      if (!again) installer = scope
      if (!scope || scope.judged || scope.outer) return
      const site = capture(below)
      if (!again) {
        this.record('FAKE_TIMERS', clock, site)
        this.#clocks.set(scope, { clock, site })
      } else if (!installer || testScope(installer) !== testScope(scope)) {
        // Over the file's, a suite's or the runner's clock: the test's, but the clock is not its to restore.
        const test = testScope(scope)
        for (const tracked of test.resources) if (tracked.asyncType === 'FAKE_TIMERS_PENDING') test.resources.delete(tracked)
        const reinstalled: Reinstalled = { clock, baseline: clock.pending() }
        this.record('FAKE_TIMERS_AGAIN', reinstalled, site)
      }
    })
  }

  /**
   * A new scope, child of `parent`. It owns nothing until code runs in it.
   * A `hook` scope (a beforeEach or afterEach run, named after it) is judged with its parent.
   */
  open(kind: ScopeKind, name: string, parent?: Scope, detail?: string): Scope {
    const scope = new Scope(kind, name, parent, detail)
    if (kind === 'test') {
      this.#requestSites.update()
      // Something may have put back a process.emit of before ours (see process-events.ts).
      if (this.#stops.length > 0) ensureObserving()
      scope.allowed = this.settings.allowTests.find((allow) => matches(allow.name, name))?.reason
      this.#watchFakeTimersAbove(scope)
    }
    if (scope.part) parent?.parts.push(scope)
    else this.#open.add(scope)
    return scope
  }

  /**
   * Runs `fn` so that everything it creates, now or after any await, belongs to `scope`.
   * The synchronous part of a test's, hook's or fixture's function is timed as a callback of its own.
   * What it throws, or its promise rejects with, loses this package's frames: the runner shows the user's.
   */
  run<R>(scope: Scope, fn: () => R): R {
    const start = this.settings.slowCallbackMs > 0 && !scope.outer ? started() : undefined
    try {
      const result = this.#context.run(scope, fn)
      if (!types.isPromise(result)) return result
      // The runner awaits what the function returns: it is no promise left unawaited, nor one to check.
      scope.promises.unawaited.forget(result)
      return this.outside(() => rejectingWithoutOwnFrames(result)) as R
    } catch (error) {
      throw withoutOwnFrames(error)
    } finally {
      if (start) this.#slowCallbacks.ran(scope, start)
    }
  }

  // A test under fake timers that an enclosing scope installed owns the fake timers it adds to them.
  #watchFakeTimersAbove(test: Scope): void {
    for (let above = test.parent; above; above = above.parent) {
      const install = this.#clocks.get(above)
      if (!install?.clock.installed()) continue
      const under: PendingUnder = { clock: install.clock, baseline: install.clock.pending(), installer: above.title }
      test.resources.add({ asyncType: 'FAKE_TIMERS_PENDING', resource: under, owner: test, createdAt: now(), site: install.site })
      return
    }
  }

  // The newest test not judged yet, else the newest other scope that is not the file's or worker's.
  #running(): Scope | undefined {
    let test: Scope | undefined
    let other: Scope | undefined
    for (const scope of this.#open) {
      if (scope.kind === 'test') test = scope
      else if (!scope.outer) other = scope
    }
    return test ?? other
  }

  /** Runs `fn` outside every scope: the runner's own code that a user function calls back into. */
  outside<R>(fn: () => R): R {
    // Not exit(): before Node 24 it disables the store and enables it again, reinstalling Node's promise hooks.
    return this.#context.run(undefined, fn)
  }

  /** The scope that owns the code running now. */
  current(): Scope | undefined {
    return this.#context.getStore() ?? this.#ambientScope()
  }

  /**
   * Makes the code running now, until it returns to its caller's caller (the event loop, or a
   * runner's dispatch), and everything it starts, belong to `scope`; `undefined` undoes it. For a
   * runner's callback that runs user code between two events of its own (a describe callback).
   */
  enter(scope: Scope | undefined): void {
    this.#context.enterWith(scope)
  }

  /**
   * Makes `scope` own what code outside every scope creates, until called again with `undefined`;
   * the callbacks of what it started then (ticks, timers, I/O) stay `scope`'s after that.
   * For module bodies that a runner evaluates itself, where no function of ours is on the stack.
   */
  adopt(scope: Scope | undefined): void {
    this.#ambient = scope
    if (scope) this.#adopting = true
  }

  #ownerOf(promise: Promise<unknown>): Scope | undefined {
    const store = this.#storeKey && (promise as unknown as Record<symbol, unknown>)[this.#storeKey]
    return store instanceof Scope ? store : this.current()
  }

  /**
   * Expects the code running now to await `promise` (or chain on it) before its scope is judged;
   * otherwise `unawaited`, an error made where the promise was created, fails the scope as an
   * unawaited assertion.
   */
  mustAwait(promise: Promise<unknown>, unawaited: Error): void {
    const scope = this.current()
    if (scope === undefined || scope.judged) return
    scope.mustAwait.set(promise, unawaited)
    this.#mustAwait.set(promise, scope)
    this.#unwatchChaining ??= watchChaining(this.#mustAwait)
  }

  /** Marks what `findings` name as reported already (by expectNoPendingTasks()): their scope's end disposes of them without reporting them again. */
  reported(findings: readonly Finding[]): void {
    for (const { tracked } of findings) this.#reported.add(tracked.resource)
  }

  /**
   * Charges an async mistake to `owner`: the error fails it when it is judged, or, if it has
   * been judged already, the adapter's late failure or the nearest enclosing scope that has not.
   */
  charge(owner: Scope | undefined, kind: MistakeKind, cause: unknown): Mistake | undefined {
    return this.#mistakes.charge(owner, kind, cause)
  }

  /** See Mistakes.onLate. */
  onLate(fail: (mistake: Mistake) => boolean): void {
    this.#mistakes.onLate(fail)
  }

  /** Lets `target` (a promise, or a timer, handle or the object owning a handle) outlive its scope. */
  allow(target: object, reason: string): void {
    this.#excuses.allow(target, reason)
  }

  /** Gives `target` (a promise, or a timer, handle or the object owning a handle) a name that reports use. */
  name(target: object, name: string): void {
    this.#names.set(target, name)
  }

  #named(finding: Finding): Finding {
    const { resource } = finding.tracked
    const name = byTarget(this.#names, resource)
    return name === undefined ? finding : { ...finding, name }
  }

  /**
   * What `scope` owns that is alive right now, without waiting: its live timers and handles.
   * What `allowPending()` or an `ignore` rule lets pass is not returned; `excused`, if given,
   * receives it with the reason.
   */
  pending(scope: Scope, { excused }: { excused?: Excused[] } = {}): Finding[] {
    const { countUnref } = this.settings
    const alive: Tracked[] = []
    const explained = new Set<unknown>()
    for (const tracked of scope.held) if (isAlive(tracked.asyncType, tracked.resource, countUnref)) alive.push(tracked)
    for (const owner of [scope, ...scope.parts])
      for (const tracked of owner.resources) {
        if (!isAlive(tracked.asyncType, tracked.resource, countUnref)) continue
        // Node's own unref'd bookkeeping runs no code of the user's: countUnref does not count it.
        if (countUnref && !isAlive(tracked.asyncType, tracked.resource, false) && nodeHousekeeping(tracked.site)) continue
        // fetch()'s connections and the turns its parser takes are its requests' (HTTP_REQUEST), in flight or not at all.
        if ((tracked.asyncType === 'TCPWRAP' || tracked.asyncType === 'Immediate') && byNodeFetch(tracked.site)) continue
        alive.push(tracked)
        for (const resource of covered(tracked.asyncType, tracked.resource)) explained.add(resource)
      }
    const handles: Finding[] = []
    for (const tracked of alive) {
      if (explained.has(tracked.resource)) continue
      tracked.site.cause ??= origin(tracked.asyncType, tracked.resource) ?? madeInCallback(tracked)
      const dom = tracked.asyncType === 'Timeout' ? domTimerOf(tracked.site) : undefined
      // Node's AbortSignal.timeout() is unref'd: a DOM's counts as little.
      if (dom === 'abort-signal-timeout' && !countUnref) continue
      const finding: Finding =
        dom === 'interval'
          ? { tracked, type: 'interval', description: `setInterval every ${(tracked.resource as { _idleTimeout?: number })._idleTimeout} ms` }
          : { tracked, type: typeOf(tracked.asyncType, tracked.resource), description: rearmed(tracked) ? REARMED : describe(tracked.asyncType, tracked.resource) }
      handles.push(this.#named(scope.held.has(tracked) ? { ...finding, held: true } : finding))
    }
    return this.#excuses.unexcused(handles, excused)
  }

  /**
   * What `scope` is waiting on right now (for a test that timed out, the introspection API and the
   * watchdog): its live timers and handles, then the promises it made that are still pending,
   * awaited or not, newest first (those that have a creation stack: see `tracePromises`).
   */
  waitingOn(scope: Scope): Finding[] {
    const promises = [scope, ...scope.parts]
      .flatMap(awaitedPromises)
      .filter((finding) => this.#excuses.allowedBecause(finding.tracked.resource) === undefined)
      .map((finding) => this.#named(finding))
    return [...this.pending(scope), ...promises]
  }

  /**
   * Judges `scope` with its parts: gives resources up to `settleMs` to finish (those asked to stop,
   * and timers due by then, a bound past it on a loaded machine), then returns what is still alive
   * and, unless `dispose` is off, disposes of it. The scope owns nothing afterwards.
   */
  async close(scope: Scope): Promise<Finding[]> {
    const parts = scope.parts.splice(0)
    const handler = parts.find((part) => part.kind === 'handler')
    const findings = await Promise.all([scope, ...parts].filter((s) => s !== handler).map((s) => this.#judge(s)))
    // What a server keeps for the test's requests waits for the server's afterAll only if the test
    // left nothing else: one that did (its request still in flight) fails with all of it at once.
    if (handler) findings.push(await this.#judge(handler, findings.every((found) => found.length === 0)))
    for (const part of parts) {
      scope.mistakes.push(...part.mistakes.splice(0))
      scope.slow.push(...part.slow.splice(0))
      scope.excused.push(...part.excused.splice(0))
    }
    return findings.flat()
  }

  async #judge(scope: Scope, hold = true): Promise<Finding[]> {
    scope.closed = true
    this.#open.delete(scope)
    if (scope.kind === 'test') this.#watchdog?.progress()
    const started = now()
    const deadline = started + this.settings.settleMs
    // The same deadline on the event loop's clock, which timers are due by (see timer-due.ts).
    const loopDeadline = loopNow() + this.settings.settleMs
    const turn = (next: (resolve: () => void) => unknown): Promise<void> => this.outside(() => new Promise<void>(next))
    // What may be floating calls as the scope ended, before any wait: one that a leak resumes is
    // named with it, though a loaded machine overran the wait long enough for the leak to fire.
    const candidatesAtEnd = [...candidates(scope)]
    // One turn, always: warnings and rejection events of the scope's last tick arrive in it.
    await turn(setImmediate)
    // One more reaches the close callbacks of handles closed just before; then poll until the deadline.
    // A timer is judged by when it is due, not by whether a loaded machine ran it in time: one due
    // by the deadline is waited for (up to a bound) and is no leak; one due later is, even if it
    // ran while the wait overran the deadline. A dependency's short timer is waited for too: made
    // for work the test started (a mock's delayed reply to a request the test gave up on), it ends
    // on its own, and whatever it runs, it runs before the next test. A timer that the callback of
    // one waited for sets is due when it would be had that callback run on time: its delay counted
    // from when the other was due, not from when a loaded machine got to run it, so that a chain of
    // timers (a queue of expiries that re-arms one timer) is judged alike however late each link
    // runs, and one that goes on past the deadline (a poll loop) is still a leak.
    let excused: Excused[] = []
    const later = new Map<object, Finding>()
    // Each one-off timer found, read once (the dependency test parses its stack): when it is due on
    // time, and whether it ends on its own. A DOM's setInterval is a Node setTimeout set again each
    // time: it never ends.
    const timers = new Map<object, { due: number; ends: boolean } | null>()
    const timerOf = (finding: Finding): { due: number; ends: boolean } | null => {
      const { resource, site, armedBy } = finding.tracked
      let timer = timers.get(resource)
      if (timer === undefined) {
        const actual = finding.type === 'interval' ? undefined : dueAt(resource)
        const armer = armedBy && timers.get(armedBy)
        const due = actual === undefined || !armer?.ends ? actual : armer.due + delayOf(resource)
        timer = due === undefined ? null : { due, ends: due <= loopDeadline || (due <= loopDeadline + DEPENDENCY_TIMER_MS && madeBy(site) === 'dependency') }
        timers.set(resource, timer)
      }
      return timer
    }
    const ends = (finding: Finding): boolean => timerOf(finding)?.ends === true
    const look = (): Finding[] => {
      const found = this.pending(scope, { excused: (excused = []) })
      for (const finding of found) if (timerOf(finding)?.ends === false) later.set(finding.tracked.resource, finding)
      return found
    }
    // A timer that ends is waited for until a bound past when it is really due (later than its
    // due time on time, for a link of a chain that a loaded machine ran late); a resource asked to
    // stop, up to a bound from the start; the rest until the deadline.
    // Both clocks are read once a look (the loop's costs a throwaway timer), not once a finding.
    const waited = (loop: number, wall: number) => (finding: Finding): boolean => {
      const timer = timerOf(finding)
      if (timer?.ends) return loop >= Math.max(timer.due, dueAt(finding.tracked.resource) ?? timer.due) + DUE_TIMER_WAIT_MS
      return wall >= (isClosing(finding.tracked.asyncType, finding.tracked.resource) ? started + CLOSING_WAIT_MS : deadline)
    }
    let findings = look()
    for (let n = 0; findings.length > 0 && (n < 1 || !findings.every(waited(loopNow(), now()))); n++) {
      await turn(n < 1 ? setImmediate : (resolve) => setTimeout(resolve, 1))
      findings = look()
    }
    findings = findings.filter((finding) => !ends(finding))
    for (const [timer, finding] of later) if (fired(timer)) findings.push(finding)
    scope.excused.push(...excused)
    if (this.#modulesPerFile) for (const { finding, by } of excused) if (by !== 'allowPending') this.#endWithFile.add(finding.tracked)
    await this.#floatingCalls(scope, findings, candidatesAtEnd, turn)
    if (hold) findings = this.#hold(scope, findings)
    for (const [promise, unawaited] of scope.mustAwait) {
      this.#mustAwait.delete(promise)
      this.charge(scope, 'unawaited-assertion', unawaited)
    }
    scope.mustAwait.clear()
    // Nothing else to watch: every promise of the process would keep paying for the hook.
    if (this.#mustAwait.size === 0) {
      this.#unwatchChaining?.()
      this.#unwatchChaining = undefined
    }
    scope.judged = true
    scope.resources.clear()
    scope.held.clear()
    scope.promises.clear()
    if (this.settings.dispose && findings.length > 0) {
      for (const { tracked } of findings) dispose(tracked.asyncType, tracked.resource)
      scope.disposed = true
    }
    if (scope.kind === 'file') {
      if (this.settings.dispose) for (const { asyncType, resource } of this.#endWithFile) if (isAlive(asyncType, resource, true)) dispose(asyncType, resource)
      this.#endWithFile.clear()
    }
    return findings.filter(({ tracked }) => !this.#reported.has(tracked.resource))
  }

  // The scope of what a server of the process does for the requests that `scope` sends: a part of its test.
  #handlerOf(scope: Scope): Scope {
    const test = testScope(scope)
    let handler = this.#handlers.get(test)
    if (handler === undefined || !test.parts.includes(handler)) this.#handlers.set(test, (handler = this.open('handler', 'request handler', test)))
    return handler
  }

  // What a test leaves that runs no code by itself (a listening server), and what a server's handler
  // keeps for the test's requests (a rate limiter's window timer, in its service's state), may be an
  // enclosing suite's to close in afterAll, with the server: it is held by the outermost of them not
  // judged yet (the file, mostly), so that any afterAll around the test may close it, and judged with it.
  #hold(scope: Scope, findings: Finding[]): Finding[] {
    if ((scope.kind !== 'test' && !scope.part) || testScope(scope).allowed !== undefined) return findings
    let holder: Scope | undefined
    for (let above = scope.parent; above; above = above.parent) if ((above.kind === 'suite' || above.kind === 'file') && !above.judged) holder = above
    if (holder === undefined) return findings
    const into = holder
    const handler = scope.kind === 'handler'
    return findings.filter((finding) => {
      if (handler ? finding.type === 'promise' : !isPassive(finding.tracked.asyncType)) return true
      into.held.add(finding.tracked)
      return false
    })
  }

  // The promise rule (promises/verdict.ts): each floating call is named with the live resource it
  // waits on, if any; the others are warnings, watched in case they resume. A call that a one-off
  // operation resumes (an fs read, which is not tracked) first gets up to `settleMs` to finish, and
  // longer while such requests are in flight (a loaded machine is slow to finish them), so that its
  // verdict does not hang on when the operation returns. A call from a line whose calls were seen
  // not to finish with nothing in flight that could resume them (waiting on an event, say) skips
  // the settleMs part, but still waits for requests in flight: how loaded the machine was when
  // another of its calls was judged does not shorten its wait.
  async #floatingCalls(scope: Scope, findings: Finding[], atEnd: Promise<unknown>[], turn: (next: (resolve: () => void) => unknown) => Promise<void>): Promise<void> {
    const started = now()
    const requestsInFlight = (): boolean => process.getActiveResourcesInfo().some((type) => ONE_OFF_REQUEST.test(type))
    const waiting = (fresh: boolean): boolean => {
      const waited = now() - started
      return (fresh && waited < this.settings.settleMs) || (waited < REQUEST_WAIT_MS && requestsInFlight())
    }
    const lineOf = (call: Finding): string => creationSite(call.tracked.site) ?? ''
    let pending = floatingCalls(scope)
    for (let n = 0; pending.length > 0 && (n < FLOATING_TURNS || waiting(pending.some((call) => !this.#unfinished.has(lineOf(call))))); n++) {
      await turn(n < FLOATING_TURNS - 1 ? setImmediate : (resolve) => setTimeout(resolve, 1))
      pending = floatingCalls(scope)
    }
    if (!requestsInFlight()) for (const call of pending) this.#unfinished.add(lineOf(call))
    const calls = pending.map((call) => this.#named(call))
    const alone = foldAwaitedBy(findings, this.#excuses.unexcused(calls, scope.excused))
    // Calls that finished during the wait are read only when a leak is left that one may have awaited.
    if (findings.some((finding) => finding.awaitedBy === undefined)) {
      const finished = callsAmong(scope, atEnd.filter((promise) => !pending.some((still) => still.tracked.resource === promise)))
      foldAwaitedBy(findings, this.#excuses.unexcused(finished.map((call) => this.#named(call)), undefined))
    }
    for (const call of alone) {
      scope.warnings.push(call)
      this.#resumptions.watch(scope, call)
    }
  }
}

/** What an adapter tells the engine, and what it is told. */
export interface EngineAdapter {
  /**
   * Where the runner's own code lives: what it creates on its own behalf while a test calls it
   * (a reporter's buffered stdout flush) is not the test's.
   */
  runnerCode?: RegExp
  /**
   * Told of each callback that blocked the event loop longer than `slowCallbackMs`, unless
   * `failOn` (or `failOnSlowCallback`) makes it a failure of its scope instead.
   */
  onSlowCallback?: (slow: SlowCallback) => void
  /**
   * Told, when `watchdogSeconds` have passed without a test finishing, of what each scope not yet
   * judged is waiting on (those waiting on nothing are left out).
   */
  onStuck?: (idleMs: number, waiting: { scope: Scope; findings: Finding[] }[]) => void
  /**
   * Each test file gets modules of its own (Jest's module registry): what a dependency made as it
   * was imported, and what an `ignore` rule let pass, is ended as the file's scope is judged, so
   * that the process can exit. Elsewhere a module may serve later files (Vitest's `isolate: false`)
   * and the runner ends its workers itself.
   */
  modulesPerFile?: boolean
}

// A timeout set by the callback of one set at the same line: a chain whose delays vary from link to
// link (what is left of a queue's next expiry), named the same however late each link ran.
const REARMED = 'setTimeout, set again by its own callback'
// Made by Node's code alone, in a callback of a tracked resource: where that one was made, the
// line of the user's code that led to it.
const madeInCallback = ({ ranIn, site }: Tracked): Site | undefined => (ranIn !== undefined && madeBy(site) === undefined ? ranIn : undefined)

function rearmed({ armedBy, site, resource }: Tracked): boolean {
  if (armedBy === undefined || (resource as { _repeat?: unknown })._repeat != null) return false
  const maker = makerFrame(site)
  const first = makerFrame(site.cause)
  // By location: the same function is named after its receiver when a timer calls it.
  return maker !== undefined && first !== undefined && locationOf(maker) === locationOf(first)
}

let hooksSeePromises: boolean | undefined

/**
 * Whether Node reports promises to an async_hooks hook that asks to be spared them: every line
 * without createHook's `trackPromises` option. Asked once, of a hook of its own, so that the
 * engine's hook, which every promise passes, does no bookkeeping for the question.
 */
function asyncHooksSeePromises(): boolean {
  if (hooksSeePromises !== undefined) return hooksSeePromises
  let seen = false
  const probe = createHook({ init: (_id, type) => void (seen ||= type === 'PROMISE'), trackPromises: false } as Parameters<typeof createHook>[0]).enable()
  void Promise.resolve()
  probe.disable()
  return (hooksSeePromises = seen)
}

function prune(scope: Scope): void {
  for (const tracked of scope.resources) if (!isAlive(tracked.asyncType, tracked.resource, true)) scope.resources.delete(tracked)
}
