import { promiseHooks } from 'node:v8'
import { isPending } from './candidates.js'
import { now } from './real-timers.js'
import type { Scope } from './scope.js'
import { type Finding, type Site, siteStacks } from './tracked.js'

/**
 * Promises that outlive their scope. A promise is a candidate from its creation until something
 * awaits it or chains on it (V8 reports the new promise with it as parent): what is left pending
 * at the end is work nobody waits for, and only the root of each such chain is left.
 * Stacks cost microseconds each, so only the first promises of each scope get one.
 * Node lines without createHook's `trackPromises: false` report every promise to any async_hooks
 * init hook anyway: there the engine records them from its own hook, cheaper than a second one.
 */
export const PROMISE_STACKS_PER_SCOPE = 16
const STACK_DEPTH = 10
// Where v8.promiseHooks reports promises, the key of a candidate is kept on it: no lookup is cheaper.
const KEY = Symbol('async-debug.promise')

type Capture = (below: Function, depth: number) => Site
type Keyed = Promise<unknown> & { [KEY]?: number }

/**
 * Records, in `scope`, a promise created by its code. `key` names the promise to its children and
 * `parentKey` the promise it continues, if any: their async ids where async_hooks reports them, a
 * counter where v8.promiseHooks does; keys grow with time. A promise chained on stops being a candidate.
 */
export type PromiseRecorder = (scope: Scope, promise: Promise<unknown>, key: number, parentKey: number | undefined, below: Function) => void

/** `traceAll`: every promise gets a creation stack, not only the first of each scope. */
export function promiseRecorder(capture: Capture, traceAll: boolean): PromiseRecorder {
  return (scope, promise, key, parentKey, below) => {
    if (parentKey !== undefined) {
      scope.promises.delete(parentKey)
      return
    }
    if (scope.closed) return
    if (traceAll || scope.promiseStacks-- > 0) {
      const site = capture(below, STACK_DEPTH)
      site.time = now()
      scope.promiseSites.set(promise, site)
    }
    scope.promises.add(key, promise)
  }
}

/**
 * Records the promises created in scopes through v8.promiseHooks, for Node lines whose async_hooks
 * can leave promises out; returns a function that stops it.
 */
export function trackPromises(current: () => Scope | undefined, record: PromiseRecorder): () => void {
  let last = 0
  const stop = promiseHooks.onInit(function init(promise, parent) {
    const scope = current()
    if (scope === undefined) return
    if (parent === undefined) record(scope, promise, ((promise as Keyed)[KEY] = ++last), undefined, init)
    else {
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

const NEW_PROMISE = /^\s+at new Promise \(<anonymous>\)$/
const FUNCTION_FRAME = /^\s+at (?:async )?([\w$.<>]+) \((?!node:|<anonymous>)/

/**
 * What a never-settled promise is, from the stack of its creation: an async function's promise
 * is named after the function, and located where it was called rather than where it starts.
 */
function describePromise(site: Site | undefined): { description: string; site: Site; asyncFunction?: string } {
  if (site?.stack === undefined) return { description: 'promise still pending', site: { cause: undefined } }
  // Node calls the hook from its own dispatcher, whose frames sit below the hook's.
  const [head = '', ...frames] = site.stack.split('\n')
  const [top = '', ...rest] = frames.slice(Math.max(0, frames.findIndex((line) => !line.includes('node:internal/'))))
  if (NEW_PROMISE.test(top)) return { description: 'new Promise() still pending', site }
  const name = FUNCTION_FRAME.exec(top)?.[1]
  // An anonymous function called as a method (Jest calls a test's as `Object.<anonymous>`) has no name to give.
  if (name === undefined || name.includes('<anonymous>')) return { description: 'promise still pending', site }
  return {
    description: `promise of async call ${name}() still pending`,
    site: { stack: [head, ...rest].join('\n'), cause: site.cause },
    asyncFunction: name,
  }
}

/** The promises `scope` created, nobody awaited, and are still pending; forgets the settled ones. */
export function pendingPromises(scope: Scope): Finding[] {
  // A settled promise stays settled: no need to inspect it again while the scope settles.
  scope.promises.keep(isPending)
  return [...scope.promises].map((promise) => promiseFinding(scope, promise, scope.promiseSites.get(promise)))
}

/**
 * The promises of `scope` that have a creation stack and are still pending, awaited or not,
 * newest first: for a test that timed out, what it was waiting on.
 */
export function awaitedPromises(scope: Scope): Finding[] {
  const findings: Finding[] = []
  for (const [promise, site] of scope.promiseSites) if (isPending(promise)) findings.unshift(promiseFinding(scope, promise, site))
  return findings
}

function promiseFinding(scope: Scope, promise: Promise<unknown>, recorded: Site | undefined): Finding {
  const { site, ...described } = describePromise(recorded)
  const tracked = { asyncType: 'PROMISE', resource: promise, owner: scope, createdAt: recorded?.time ?? Number.NaN, site }
  return { tracked, type: 'promise', ...described, ...(recorded === undefined ? { where: UNRECORDED } : {}) }
}

const UNRECORDED = `where it was created is not recorded (only the first ${PROMISE_STACKS_PER_SCOPE} promises of a test get a stack; the option \`tracePromises: true\` records all)`

/**
 * Folds each never-settled async function's promise into the finding of the resource it waits on,
 * found by the function's frame on that resource's creation stack: one finding, not two.
 */
export function foldAwaitedBy(handles: Finding[], promises: Finding[]): Finding[] {
  return promises.filter((promise) => {
    const fn = promise.asyncFunction
    if (fn === undefined) return true
    const frame = new RegExp(`^\\s+at (?:async )?${fn.replace(/[$.]/g, '\\$&')} \\(`, 'm')
    const handle = handles.find((h) => h.awaitedBy === undefined && siteStacks(h.tracked.site).some((stack) => frame.test(stack)))
    if (handle === undefined) return true
    handle.awaitedBy = promise
    return false
  })
}
