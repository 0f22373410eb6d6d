import { promiseHooks } from 'node:v8'
import { now } from '../real-timers.js'
import type { Scope } from '../scope.js'
import type { Site } from '../tracked.js'

/**
 * Records the promises that a scope's code creates, as the promise rule needs them: the roots of
 * chains (a new promise, not a continuation of another) with where they were created, and which
 * of them something has chained on since. A stack costs microseconds, far more than the promise,
 * so a scope gets a few stacks up front and earns more as it lives: promise-heavy code pays a
 * bounded share of its time, while code that waits on I/O gets a stack for nearly every chain.
 * A root without a stack is not recorded at all: nothing could be said of it (see verdict.ts).
 * Node lines without createHook's `trackPromises: false` report every promise to any async_hooks
 * init hook anyway: there the engine records them from its own hook, cheaper than a second one.
 */

/** Creation stacks a scope gets before it has to earn them. */
export const STACKS_UP_FRONT = 32
/** A scope earns one more creation stack for each this many µs it lives (~3 µs a stack: ~3% at most). */
const US_PER_STACK = 100
const STACK_DEPTH = 12
// Where v8.promiseHooks reports promises, the key of a recorded promise is kept on it: no lookup is cheaper.
const KEY = Symbol('async-debug.promise')

type Capture = (below: Function, depth: number) => Site
type Keyed = Promise<unknown> & { [KEY]?: number }

/**
 * Records, in `scope`, a promise created by its code. `key` names the promise to its children and
 * `parentKey` the promise it continues, if any: their async ids where async_hooks reports them, a
 * counter where v8.promiseHooks does; keys grow with time. A promise chained on stops being a
 * candidate. Returns whether the promise was recorded, with its creation stack.
 */
export type PromiseRecorder = (scope: Scope, promise: Promise<unknown>, key: number, parentKey: number | undefined, below: Function) => boolean

/** `traceAll`: every root gets a creation stack, however many the scope has had. */
export function promiseRecorder(capture: Capture, traceAll: boolean): PromiseRecorder {
  return (scope, promise, key, parentKey, below) => {
    if (parentKey !== undefined) {
      if (scope.promises.empty) return false
      const parent = scope.promises.get(parentKey)
      if (parent !== undefined && !awaitsInside(parent, scope.promiseSites.get(parent), below)) scope.promises.delete(parentKey)
      return false
    }
    if (scope.closed || !(traceAll || takeStack(scope))) return false
    const site = capture(below, STACK_DEPTH)
    site.time = now()
    scope.promiseSites.set(promise, site)
    scope.recorded.add(key, promise)
    scope.promises.add(key, promise)
    return true
  }
}

/**
 * Whether a continuation of `parent`, the promise of an async function, is that function's own
 * await rather than something chaining on it. V8 makes an `await` of a promise from another realm
 * (a Node API's promise, awaited in Jest's vm context) wrap it in a new promise whose parent is the
 * awaiting function's own: the wrapper is then created in the same function as `parent` was. Told
 * by where that function starts (not by its name, which a runner's source maps may rewrite).
 * Same-realm code never does it, and pays nothing for the question.
 */
function awaitsInside(parent: Promise<unknown>, site: Site | undefined, below: Function): boolean {
  if (parent.constructor === Promise || site === undefined) return false
  const own = (site.enclosing ??= enclosingFunction(site) ?? '')
  return own !== '' && own === enclosingFunction(below)
}

// Node's dispatcher, through which a promise init hook is called.
const DISPATCHER = /^node:internal\/(?:async_hooks|promise_hooks)/

/**
 * Where the function that created the promise starts: from the raw call sites of `site`, which
 * reading its stack formats once, as the process would (undefined once it was read before); or,
 * for the code running now, of a stack taken below `below`.
 */
function enclosingFunction(from: Site | Function): string | undefined {
  const previous = Error.prepareStackTrace
  let callSites: NodeJS.CallSite[] | undefined
  Error.prepareStackTrace = (error, sites) => {
    callSites = sites
    if (typeof from === 'function') return ''
    return previous ? previous(error, sites) : [String(error), ...sites.map((callSite) => `    at ${callSite}`)].join('\n')
  }
  const limit = Error.stackTraceLimit
  try {
    if (typeof from === 'function') {
      Error.stackTraceLimit = 6
      const here: { stack?: unknown } = {}
      Error.captureStackTrace(here, from)
      void here.stack
    } else void from.stack
  } finally {
    Error.prepareStackTrace = previous
    Error.stackTraceLimit = limit
  }
  const creator = callSites?.find((callSite) => !DISPATCHER.test(callSite.getFileName() ?? ''))
  if (creator === undefined || creator.isNative() || creator.getFileName() === undefined) return undefined
  const at = creator as NodeJS.CallSite & { getEnclosingLineNumber?(): number; getEnclosingColumnNumber?(): number }
  return `${at.getFileName()}:${at.getEnclosingLineNumber?.()}:${at.getEnclosingColumnNumber?.()}`
}

function takeStack(scope: Scope): boolean {
  if (scope.promiseStacks > 0) {
    scope.promiseStacks--
    return true
  }
  const earned = Math.floor(((now() - scope.openedAt) * 1000) / US_PER_STACK)
  if (earned <= scope.stacksEarned) return false
  scope.promiseStacks += earned - scope.stacksEarned - 1
  scope.stacksEarned = earned
  return true
}

/**
 * Records the promises created in scopes through v8.promiseHooks, for Node lines whose async_hooks
 * can leave promises out; returns a function that stops it. `judged`: told of a promise that code
 * of an already judged scope creates.
 */
export function trackPromises(current: () => Scope | undefined, record: PromiseRecorder, judged: (scope: Scope, below: Function) => void): () => void {
  let last = 0
  const stop = promiseHooks.onInit(function init(promise, parent) {
    const scope = current()
    if (scope === undefined) return
    if (scope.judged) judged(scope, init)
    else if (parent === undefined) {
      const key = ++last
      if (record(scope, promise, key, undefined, init)) (promise as Keyed)[KEY] = key
    } else {
      const parentKey = (parent as Keyed)[KEY]
      if (parentKey !== undefined) record(scope, promise, 0, parentKey, init)
    }
  })
  return () => stop()
}

/**
 * Forgets each promise of `mustAwait` (see Scope.mustAwait) once something chains on it, whatever
 * the code: the runner awaits a promise that a test returns. Returns a function that stops it.
 */
export function watchChaining(mustAwait: Map<Promise<unknown>, Scope>): () => void {
  const stop = promiseHooks.onInit((_promise, parent) => {
    if (parent === undefined) return
    mustAwait.get(parent)?.mustAwait.delete(parent)
    mustAwait.delete(parent)
  })
  return () => stop()
}
