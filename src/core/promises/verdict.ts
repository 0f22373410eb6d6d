import { creationFrames, frameOrigin, framesOf, functionFrame } from '../frames.js'
import type { Finding, Scope } from '../scope.js'
import { type Site, siteStacks } from '../site.js'
import { isPending } from './candidates.js'
import { madeByNodeOrBuiltin, settleSuspect } from './track.js'

/**
 * The promise rule, at the end of a scope: a pending promise matters only if the user's code can
 * still run because of it. A root that nothing chained on runs nothing when it settles: a deferred
 * nobody awaits, `new Promise(() => {})`, Node's own promises (Web Streams, fetch) and a
 * dependency's are not the test's concern. What can run later is a *floating call*: an async
 * function of the user's that nothing awaited, suspended at an await. With live work under it (a
 * timer, a socket), that work fails the test, and the call is named with it; with none, it is a
 * warning, and it is watched: if it resumes after its scope, that fails the scope (resumption.ts).
 */

const FUNCTION_FRAME = /^\s+at (?:async )?([\w$.<>]+) \(/

/** An async function's call, from the stack taken when its promise was created. */
interface Call {
  /** The function's name, e.g. `waitForReady` or `Client.connect`; undefined for an anonymous one. */
  readonly name: string | undefined
  /** The creation stack from the call on: where it was called. */
  readonly site: Site
}

/**
 * The async function of the user's whose promise was created at `site`, if it was one: the top
 * frame of the stack, below Node's dispatcher, is then the function itself. A promise made by a
 * builtin (`new Promise`, `Promise.all`, `.then`) has the builtin on top; one made in Node's or a
 * dependency's code, their frame.
 */
export function userAsyncCall(site: Site | undefined): Call | undefined {
  // Most pending roots are Node's (Web Streams, fetch) or a builtin's: no need to format their stacks to see it.
  if (site === undefined || madeByNodeOrBuiltin(site) || site.stack === undefined) return undefined
  const frames = creationFrames(site.stack)
  const [top] = frames
  if (top === undefined || frameOrigin(top) !== 'user') return undefined
  const name = FUNCTION_FRAME.exec(top)?.[1]
  // Jest calls a test's anonymous function as a method, `Object.<anonymous>`: no name to give.
  return { name: name?.includes('<anonymous>') ? undefined : name, site: { stack: [site.stack.split('\n', 1)[0], ...frames.slice(1)].join('\n'), cause: site.cause } }
}

/**
 * The floating calls of `scope`: its user async functions that nothing awaited and that are still
 * pending. Forgets its settled candidates.
 */
export function floatingCalls(scope: Scope): Finding[] {
  return callsAmong(scope, candidates(scope))
}

/** The promises of `scope` that may be floating calls, live: not awaited, still pending. Forgets its settled candidates. */
export function candidates(scope: Scope): Iterable<Promise<unknown>> {
  settleSuspect(scope)
  scope.promises.unawaited.keep(isPending)
  return scope.promises.unawaited
}

/** Of `promises`, those of user async functions, as findings. */
export function callsAmong(scope: Scope, promises: Iterable<Promise<unknown>>): Finding[] {
  const { sites } = scope.promises
  const calls: Finding[] = []
  for (const promise of promises) {
    const recorded = sites.get(promise)
    const call = userAsyncCall(recorded)
    if (call === undefined) continue
    const tracked = { asyncType: 'PROMISE', resource: promise, owner: scope, createdAt: recorded?.time ?? Number.NaN, site: call.site }
    calls.push({ tracked, type: 'promise', facts: { is: 'floating-call', fn: call.name }, asyncFunction: call.name })
  }
  return calls
}

/**
 * The promises of `scope` that have a creation stack and are still pending, awaited or not,
 * newest first: for a test that timed out, what it was waiting on.
 */
export function awaitedPromises(scope: Scope): Finding[] {
  const findings: Finding[] = []
  const { recorded: all, sites } = scope.promises
  for (const promise of all) {
    if (!isPending(promise)) continue
    const recorded = sites.get(promise)
    const call = userAsyncCall(recorded)
    const site = call?.site ?? recorded ?? { cause: undefined }
    const facts = { is: 'pending-promise', fn: call?.name, made: call ? 'call' : newPromise(recorded) ? 'new Promise()' : 'other' } as const
    findings.unshift({ tracked: { asyncType: 'PROMISE', resource: promise, owner: scope, createdAt: recorded?.time ?? Number.NaN, site }, type: 'promise', facts })
  }
  return findings
}

const newPromise = (site: Site | undefined): boolean => framesOf(site?.stack).some((line) => /^\s+at new Promise \(<anonymous>\)$/.test(line))

/**
 * Folds each floating call into the finding of the live resource it waits on, found by the
 * function's frame on that resource's creation stack: one finding, the resource, "awaited by"
 * the call. Returns the calls that wait on no live resource of the scope.
 */
export function foldAwaitedBy(handles: Finding[], calls: Finding[]): Finding[] {
  return calls.filter((call) => {
    const fn = call.asyncFunction
    if (fn === undefined) return true
    const frame = functionFrame(fn)
    const handle = handles.find((h) => h.awaitedBy === undefined && siteStacks(h.tracked.site).some((stack) => frame.test(stack)))
    if (handle === undefined) return true
    handle.awaitedBy = call
    return false
  })
}
