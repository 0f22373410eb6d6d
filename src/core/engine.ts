import { types } from 'node:util'
import { breakAt, noInspector } from './break-at.js'
import type { FakeClock } from './fake-timers.js'
import { FakeTimerOwners } from './fake-timer-owners.js'
import { rejectingWithoutOwnFrames, withoutOwnFrames } from './frames.js'
import { Excuses } from './excuses.js'
import { Judge } from './judge.js'
import { LiveResources } from './live-resources.js'
import { Mistakes } from './mistakes.js'
import { matches, type Settings } from './options.js'
import type { EngineObserver } from './observer.js'
import { Ownership } from './ownership.js'
import { batched } from './patches.js'
import { ensureObserving } from './process-events.js'
import { Resumptions } from './promises/resumption.js'
import { now } from './real-timers.js'
import { Tracker } from './tracker.js'
import { type Excused, type Finding, type Mistake, type MistakeKind, Scope, type ScopeKind, type SlowCallback } from './scope.js'
import { capture, type Site } from './site.js'
import { SlowCallbacks, slowCallbackOutcome, started } from './slow-callbacks.js'
import { Sources } from './sources.js'
import { Strays } from './strays.js'

/**
 * The ownership engine: scopes own the async resources created while their code runs,
 * following async continuations, and report what they still own when they close.
 * Runner-agnostic: adapters open scopes, run user code in them, and close them.
 * It conducts its parts, each of one job: ownership (which scope runs), the tracker (what scopes
 * create), sources (what async_hooks does not tell), mistakes, excuses, live resources (what a
 * scope owns that is alive), the judge (what a closing scope left), slow callbacks and fake timers.
 */
export class Engine {
  readonly settings: Settings
  readonly #ownership = new Ownership()
  readonly #tracker: Tracker
  readonly #sources: Sources
  readonly #mistakes: Mistakes
  readonly #excuses: Excuses
  readonly #live: LiveResources
  readonly #judge: Judge
  readonly #slowCallbacks: SlowCallbacks
  readonly #fakeTimers: FakeTimerOwners
  readonly #strays: Strays
  readonly #onStuck: EngineAdapter['onStuck']
  readonly #observer: EngineObserver | undefined
  // Whether continuations are located by their chain's root (timeAllCallbacks): then every root is recorded.
  readonly #locateContinuations: boolean
  // What enable() started: each function stops one source of events.
  readonly #stops: (() => void)[] = []
  // The test code's global object, once enabled; whether ASYNC_DEBUG_BREAK's breakpoints are set.
  #global: object | undefined
  #breaking = false

  constructor(settings: Settings, { runnerCode, onSlowCallback, onStuck, modulesPerFile = false, observer }: EngineAdapter = {}) {
    this.settings = settings
    this.#onStuck = onStuck
    this.#observer = observer
    const ownership = this.#ownership
    const excuses = (this.#excuses = new Excuses(settings, runnerCode))
    const mistakes = (this.#mistakes = new Mistakes(settings, ownership))
    const live = (this.#live = new LiveResources(settings.countUnref, excuses))
    const { slowCallbackMs, timeAllCallbacks } = settings
    const outcome = slowCallbackOutcome(slowCallbackMs, settings.failOn.has('slow-callbacks'), (owner, kind, cause) => mistakes.charge(owner, kind, cause), onSlowCallback)
    const slowOutcome: typeof outcome = observer
      ? (owner, ran, took, site) => {
          observer.slow(owner, ran, took, site, now())
          outcome(owner, ran, took, site)
        }
      : outcome
    const slowCallbacks = (this.#slowCallbacks = new SlowCallbacks(slowCallbackMs, timeAllCallbacks, () => ownership.current(), slowOutcome))
    const resumptions = new Resumptions((scope, fn) => ownership.run(scope, fn), (call, where) => mistakes.resumed(call, where))
    const strays = (this.#strays = new Strays(ownership))
    // Code of a judged scope goes on: a floating call of its may have resumed, a test open may be failing for it.
    const judgedCode = (scope: Scope, below: Function, resource: object, asyncType: string): void => {
      if (asyncType !== 'PROMISE') return strays.made(asyncType, resource)
      if (resumptions.watching(scope)) resumptions.check(scope, capture(below, 8))
      strays.continued(scope, below)
    }
    // Continuations are located, at a cost to every promise, only for timeAllCallbacks.
    const locateContinuations = (this.#locateContinuations = slowCallbackMs > 0 && timeAllCallbacks)
    const tracker = (this.#tracker = new Tracker(ownership, slowCallbacks, { tracePromises: settings.tracePromises, locateContinuations }, judgedCode, observer && ((tracked) => observer.tracked(tracked))))
    this.track = tracker.track
    this.#sources = new Sources(ownership, tracker.track)
    this.#judge = new Judge({ settings, ownership, live, excuses, mistakes, resumptions, strays, modulesPerFile, observer })
    this.#fakeTimers = new FakeTimerOwners(ownership, tracker.track)
  }

  /** Tracks `resource` as created by the code running now, at `site`; returns the scope that owns it. */
  readonly track: (type: string, resource: object, site: Site) => Scope | undefined

  /** Starts tracking resources; `global` is the test code's global object, whose fetch() is watched (see fetchSites). */
  enable(global: { fetch?: unknown } = globalThis): this {
    this.#tracker.enable()
    this.#slowCallbacks.enable()
    if (this.#stops.length > 0) return this
    this.#sources.start(global)
    this.#stops.push(() => this.#sources.stop())
    if (this.settings.watchdogSeconds > 0) this.#stops.push(this.#judge.watch((idleMs, waiting) => this.#onStuck?.(idleMs, waiting)))
    this.#stops.push(this.#mistakes.observe(() => this.#sources.listeners))
    this.#global = global
    return this
  }

  /** Stops tracking resources. */
  disable(): void {
    this.#tracker.disable()
    this.#slowCallbacks.disable()
    this.#strays.stop()
    this.#ownership.disable()
    this.#global = undefined
    // What enable() started, stopped in reverse.
    batched(() => {
      for (const stop of this.#stops.splice(0).reverse()) stop()
    })
    this.#mistakes.stopWatching()
  }

  /**
   * Makes each install of `clock` through `target.useFakeTimers()` a resource of the test, hook or
   * fixture calling it: still installed when that scope is judged, it fails it. Installed at import
   * time, or by the runner (Jest's `fakeTimers.enableGlobally`), it lasts the file and is not judged.
   * Returns a function that puts `useFakeTimers` back.
   */
  watchFakeTimers(target: object, clock: FakeClock): () => void {
    return this.#fakeTimers.watch(target, clock)
  }

  /**
   * A new scope, child of `parent`. It owns nothing until code runs in it.
   * A `hook` scope (a beforeEach or afterEach run, named after it) is judged with its parent.
   */
  open(kind: ScopeKind, name: string, parent?: Scope, detail?: string): Scope {
    const scope = new Scope(kind, name, parent, detail)
    scope.openedAt = now()
    if (this.settings.breakAt.length > 0 && !this.#breaking) this.#breakAt(kind)
    if (kind === 'test') {
      this.#sources.testOpened()
      // Something may have put back a process.emit of before ours (see process-events.ts).
      if (this.#stops.length > 0) ensureObserving()
      scope.leaksAllowed = this.settings.allowTests.find((allow) => matches(allow.name, name))?.reason
      this.#fakeTimers.testOpened(scope)
      this.#strays.testOpened()
    }
    if (scope.part) parent?.parts.push(scope)
    else this.#ownership.open.add(scope)
    this.#observer?.opened(scope, now())
    return scope
  }

  /**
   * Runs `fn` so that everything it creates, now or after any await, belongs to `scope`.
   * The synchronous part of a test's, hook's or fixture's function is timed as a callback of its own.
   * What it throws, or its promise rejects with, loses this package's frames: the runner shows the user's.
   * `calls`: the user's function that `fn` calls first, for the runner. If it is an async function,
   * its own promise, the first one made, is not recorded: the runner awaits it, and it was created
   * where the runner called it, with no line of the user's (its creation stack cost the most of any,
   * under the runner's deep frames).
   */
  run<R>(scope: Scope, fn: () => R, calls?: Function): R {
    const start = this.settings.slowCallbackMs > 0 && !scope.outer ? started() : undefined
    const observer = this.#observer
    const began = observer && now()
    let ended = observer && ((): void => observer.ran(scope, began!, now()))
    const ledger = scope.promises
    const skipsOwn = calls !== undefined && !this.#locateContinuations && types.isAsyncFunction(calls) && !types.isGeneratorFunction(calls)
    if (skipsOwn) ledger.runnerAwaitsNext = true
    try {
      const result = this.#ownership.run(scope, fn)
      if (!types.isPromise(result)) return result
      // Told when the promise settles, outside every scope: the handlers are no code of the scope's.
      if (ended) this.outside(() => result.then(ended, ended))
      ended = undefined
      // The runner awaits what the function returns: it is no promise left unawaited, nor one to check.
      // One never recorded (the flag spent on it) needs no search of the candidates.
      if (!skipsOwn || ledger.runnerAwaitsNext) ledger.unawaited.forget(result)
      return this.outside(() => rejectingWithoutOwnFrames(result)) as R
    } catch (error) {
      throw withoutOwnFrames(error)
    } finally {
      ledger.runnerAwaitsNext = false
      if (start) this.#slowCallbacks.ran(scope, start)
      ended?.()
    }
  }

  /**
   * Sets ASYNC_DEBUG_BREAK's breakpoints as a scope opens, once an inspector is open: a runner opens
   * its worker's (Vitest's --inspect-brk) after the environment is set up, before its tests.
   */
  #breakAt(kind: ScopeKind): void {
    const global = this.#global
    if (global === undefined) return
    const ownership = this.#ownership
    const inScope = (): boolean => {
      const scope = ownership.current()
      return scope !== undefined && !scope.judged
    }
    const stop = breakAt(this.settings.breakAt, inScope, global === globalThis ? [globalThis] : [globalThis, global])
    if (stop === undefined) return kind === 'test' ? noInspector() : undefined
    this.#breaking = true
    this.#stops.push(() => {
      stop()
      this.#breaking = false
    })
  }

  /** Runs `fn` outside every scope: the runner's own code that a user function calls back into. */
  outside<R>(fn: () => R): R {
    return this.#ownership.outside(fn)
  }

  /** The scope that owns the code running now. */
  current(): Scope | undefined {
    return this.#ownership.current()
  }

  /**
   * Makes the code running now, until it returns to its caller's caller (the event loop, or a
   * runner's dispatch), and everything it starts, belong to `scope`; `undefined` undoes it. For a
   * runner's callback that runs user code between two events of its own (a describe callback).
   */
  enter(scope: Scope | undefined): void {
    this.#ownership.enter(scope)
  }

  /**
   * Makes `scope` own what code outside every scope creates, until called again with `undefined`;
   * the callbacks of what it started then (ticks, timers, I/O) stay `scope`'s after that.
   * For module bodies that a runner evaluates itself, where no function of ours is on the stack.
   */
  adopt(scope: Scope | undefined): void {
    this.#ownership.adopt(scope)
  }

  /**
   * Expects the code running now to await `promise` (or chain on it) before its scope is judged;
   * otherwise `unawaited`, an error made where the promise was created, fails the scope as an
   * unawaited assertion.
   */
  mustAwait(promise: Promise<unknown>, unawaited: Error): void {
    this.#mistakes.mustAwait(promise, unawaited)
  }

  /** Marks what `findings` name as reported already (by expectNoPendingTasks()): their scope's end disposes of them without reporting them again. */
  reported(findings: readonly Finding[]): void {
    this.#live.markReported(findings)
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

  /** Lets `target` (a promise, or a timer, handle or the object wrapping a handle) outlive its scope. */
  allowPending(target: object, reason: string): void {
    this.#excuses.allowPending(target, reason)
  }

  /** Gives `target` (a promise, or a timer, handle or the object wrapping a handle) a name that reports use. */
  name(target: object, name: string): void {
    this.#live.name(target, name)
  }

  /**
   * What `scope` owns that is alive right now, without waiting: its live timers and handles.
   * What `allowPending()` or an `ignore` rule lets pass is not returned; `excused`, if given,
   * receives it with the reason.
   */
  liveHandles(scope: Scope, options: { excused?: Excused[] } = {}): Finding[] {
    return this.#live.handles(scope, options)
  }

  /**
   * What `scope` is waiting on right now (for a test that timed out, the introspection API and the
   * watchdog): its live timers and handles, then the promises it made that are still pending,
   * awaited or not, newest first (those that have a creation stack: see `tracePromises`).
   */
  waitingOn(scope: Scope): Finding[] {
    return this.#live.waitingOn(scope)
  }

  /**
   * Judges `scope` with its parts: gives resources up to `settleMs` to finish (those asked to stop,
   * and timers due by then, a bound past it on a loaded machine), then returns what is still alive
   * and, unless `dispose` is off, disposes of it. The scope owns nothing afterwards.
   */
  close(scope: Scope): Promise<Finding[]> {
    return this.#judge.close(scope)
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
  /** Told of scopes, resources, verdicts and slow callbacks as they happen, for a timeline of the run; only when tracing. */
  observer?: EngineObserver
}
