import { promiseHooks } from 'node:v8'
import { now } from '../real-timers.js'
import type { Scope } from '../scope.js'
import type { Capture, Site } from '../site.js'

/**
 * Records the promises that a scope's code creates in its ledger (ledger.ts): the roots of chains
 * that get a creation stack, and which of them something has chained on since. A root without a
 * stack is not recorded at all: nothing could be said of it (see verdict.ts). Node lines without
 * createHook's `trackPromises: false` report every promise to any async_hooks init hook anyway:
 * there the tracker takes them from its own hook, cheaper than a second one.
 */

const STACK_DEPTH = 10
// Where v8.promiseHooks reports promises, the key of a recorded promise is kept on it: no lookup is cheaper.
const KEY = Symbol('async-debug.promise')

type Keyed = Promise<unknown> & { [KEY]?: number }

/**
 * Records, in `scope`, a promise created by its code. `key` names the promise to its children and
 * `parentKey` the promise it continues, if any: their async ids where async_hooks reports them, a
 * counter where v8.promiseHooks does; keys grow with time. A promise chained on stops being a
 * candidate. Returns whether the promise must keep its key (a v8.promiseHooks tracker sets it):
 * a recorded root, or a continuation whose own children are to be seen.
 */
export type PromiseTracker = (scope: Scope, promise: Promise<unknown>, key: number, parentKey: number | undefined, below: Function) => boolean

/** `traceAll`: every root gets a creation stack, however many the scope has had. */
export function promiseTracker(capture: Capture, traceAll: boolean): PromiseTracker {
  return (scope, promise, key, parentKey, below) => {
    const ledger = scope.promises
    const { suspect } = ledger
    if (suspect !== undefined) {
      ledger.suspect = undefined
      // The suspect's own continuation, made at once: a wrapped await (see ledger.ts, Suspect), if in the candidate's function.
      if (parentKey !== suspect.childKey || !awaitsInside(suspect.site, below)) ledger.unawaited.delete(suspect.parentKey)
    }
    if (parentKey !== undefined) {
      // A candidate of this realm is chained on: forgotten. One of another realm may be a wrapped await.
      const parent = ledger.unawaited.delete(parentKey, fromOtherRealm)
      if (parent === undefined || !fromOtherRealm(parent)) return false
      ledger.suspect = { parentKey, childKey: key, site: ledger.sites.get(parent) }
      return true
    }
    if (ledger.runnerAwaitsNext) {
      ledger.runnerAwaitsNext = false
      return false
    }
    if (scope.state !== 'open' || !(traceAll || ledger.takeStack())) return false
    const site = capture(below, STACK_DEPTH)
    site.time = now()
    ledger.add(key, promise, site)
    return true
  }
}

const fromOtherRealm = (promise: Promise<unknown>): boolean => promise.constructor !== Promise

/** Settles a suspect continuation (see ledger.ts, Suspect) that nothing followed: it chained on its parent. */
export function settleSuspect({ promises: ledger }: Scope): void {
  if (ledger.suspect === undefined) return
  ledger.unawaited.delete(ledger.suspect.parentKey)
  ledger.suspect = undefined
}

/** Whether the code running now, below `below`, is in the async function whose promise was created at `site`. */
function awaitsInside(site: Site | undefined, below: Function): boolean {
  if (site === undefined) return false
  const own = (site.enclosing ??= enclosingFunction(site) ?? '')
  return own !== '' && own === enclosingFunction(below)
}

// Node's dispatcher, through which a promise init hook is called.
const DISPATCHER = /^node:internal\/(?:async_hooks|promise_hooks)/

/**
 * Where the function that created a promise starts: at `site`, or in the code running now, below
 * `below`. Read from raw call sites, which cost little; formatting a stack runs the runner's
 * source maps. Undefined for a site whose stack was read before.
 */
function enclosingFunction(from: Site | Function): string | undefined {
  const creator = rawCallSites(from)?.find((callSite) => !DISPATCHER.test(callSite.getFileName() ?? ''))
  if (creator === undefined || creator.isNative() || creator.getFileName() === undefined) return undefined
  const at = creator as NodeJS.CallSite & { getEnclosingLineNumber?(): number; getEnclosingColumnNumber?(): number }
  return `${at.getFileName()}:${at.getEnclosingLineNumber?.()}:${at.getEnclosingColumnNumber?.()}`
}

/**
 * Whether the promise created at `site` was surely made by Node's code or a builtin (`new Promise`,
 * `Promise.all`, `.then`), told from raw call sites: its formatted stack would show it so, and
 * formatting costs far more (it runs the runner's source maps). False when unsure, or when the
 * stack was read already.
 */
export function madeByNodeOrBuiltin(site: Site): boolean {
  const callSites = rawCallSites(site)
  if (callSites === undefined) return false
  const creator = callSites.find((callSite) => !DISPATCHER.test(callSite.getFileName() ?? ''))
  if (creator === undefined) return true
  const file = creator.getFileName()
  // A builtin's frame has no script at all; code evaluated from a string (eval, new Function) has one, or a sourceURL.
  if (file == null) return !creator.isEval() && creator.getScriptNameOrSourceURL() == null
  return file.startsWith('node:')
}

function rawCallSites(from: Site | Function): NodeJS.CallSite[] | undefined {
  const previous = Error.prepareStackTrace
  const limit = Error.stackTraceLimit
  let callSites: NodeJS.CallSite[] | undefined
  Error.prepareStackTrace = (_, sites) => {
    callSites = sites
    return ''
  }
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
  if (callSites !== undefined && typeof from !== 'function') formatLater(from, callSites)
  return callSites
}

// The stack of `site` is formatted when a report first reads it, as the process formats stacks then.
function formatLater(site: Site, callSites: NodeJS.CallSite[]): void {
  Object.defineProperty(site, 'stack', {
    configurable: true,
    enumerable: true,
    get() {
      const format = Error.prepareStackTrace
      const header = Object.assign(Object.create(Error.prototype) as Error, { message: '' })
      const stack = format ? String(format(header, callSites)) : ['Error', ...callSites.map((callSite) => `    at ${callSite}`)].join('\n')
      Object.defineProperty(site, 'stack', { value: stack, configurable: true, enumerable: true, writable: true })
      return stack
    },
  })
}

/**
 * Records the promises created in scopes through v8.promiseHooks, for Node lines whose async_hooks
 * can leave promises out; returns a function that stops it. `judged`: told of a promise that code
 * of an already judged scope creates (see JudgedCode).
 */
export function trackPromises(current: () => Scope | undefined, track: PromiseTracker, judged: (scope: Scope, below: Function, promise: object, asyncType: 'PROMISE') => void): () => void {
  let last = 0
  const stop = promiseHooks.onInit(function init(promise, parent) {
    const scope = current()
    if (scope === undefined) return
    if (scope.judged) return judged(scope, init, promise, 'PROMISE')
    const key = ++last
    // 0: a continuation of a promise that was not recorded, which no key names.
    const parentKey = parent === undefined ? undefined : ((parent as Keyed)[KEY] ?? 0)
    if (track(scope, promise, key, parentKey, init)) (promise as Keyed)[KEY] = key
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
