import { dirname, isAbsolute } from 'node:path'
import { types } from 'node:util'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { type Site, siteStacks } from './site.js'

/**
 * Whose code a stack frame is: the user's (test files and the project's own sources), this
 * package's, the runner's, Node's, a dependency's under node_modules, or a builtin of the engine
 * (`new Promise`, `Promise.all`, native frames). One answer for stacks in reports, for the runner's
 * own resources, and for the promise rule.
 */
export type FrameOrigin = 'user' | 'package' | 'runner' | 'node' | 'dependency' | 'builtin'

const FRAME = /^\s+at /
const NODE = /\(node:|^\s+at node:/
// Builtins, and code with no file of its own: evaluated from a string (`eval at …`), or WebAssembly
// (fetch's HTTP parser).
const BUILTIN = /\(<anonymous>\)$|^\s+at <anonymous>$|\(native\)$|\(index \d+\)$|\(eval at |\(wasm:\/\/|^\s+at wasm:\/\//
const DEPENDENCY = /[/\\]node_modules[/\\]/

// This package's own frames (the wrappers that run user functions in a scope), wherever it is
// installed: a linked checkout is not under node_modules. The build puts every module of an entry
// in one file, so this file's folder is the package's.
// Evaluated from a string (a linked checkout that Vite's module runner inlines), it has no file.
const ownFile = /((?:file:\/\/)?[^\s()]+?):\d+:\d+\)?$/.exec(new Error().stack?.split('\n')[1] ?? '')?.[1]
const ownPath = ownFile?.startsWith('file:') ? fileURLToPath(ownFile) : ownFile
const ownDir = ownPath && isAbsolute(ownPath) ? dirname(ownPath) : undefined
const own = ownDir ? [ownDir, pathToFileURL(ownDir).href].map((dir) => `${dir}${dir.includes('\\') ? '\\' : '/'}`) : []

/** Whether `line` is a frame of a stack (`    at …`). */
export const isFrame = (line: string): boolean => FRAME.test(line)

/**
 * Whose code the frame `line` is. `runnerCode`: where the runner's own modules live, since the
 * runner may be installed like any dependency.
 */
export function frameOrigin(line: string, runnerCode?: RegExp): FrameOrigin {
  if (NODE.test(line)) return 'node'
  if (BUILTIN.test(line)) return 'builtin'
  if (own.some((dir) => line.includes(dir))) return 'package'
  if (runnerCode?.test(line)) return 'runner'
  if (DEPENDENCY.test(line)) return 'dependency'
  return 'user'
}

/** Whether the frame `line` is in the user's code. */
export const isUserFrame = (line: string): boolean => FRAME.test(line) && frameOrigin(line) === 'user'

// The frames through which Node calls a promise init hook.
const DISPATCH = /\(node:internal\/(?:async_hooks|promise_hooks)[:)]|^\s+at node:internal\/(?:async_hooks|promise_hooks)[:)]/

/**
 * The frames of a stack taken in a promise init hook from the code that created the promise on:
 * the function creating it (or the builtin, `new Promise`), then its callers. Node's dispatcher
 * frames are left out.
 */
export function creationFrames(stack: string | undefined): string[] {
  const frames = framesOf(stack)
  return frames.slice(Math.max(0, frames.findIndex((line) => !DISPATCH.test(line))))
}

/** A pattern for the frames of the function named `name` in a stack, as it runs or as it awaits (`async`). */
export const functionFrame = (name: string): RegExp => new RegExp(`^\\s+at (?:async )?${name.replace(/[$.]/g, '\\$&')} \\(`, 'm')

/** The frames of `stack`, without its header line. */
export const framesOf = (stack: string | undefined): string[] => (stack ?? '').split('\n').filter(isFrame)

/** `file:line:column` of a frame. */
export function locationOf(frame: string): string {
  const location = frame.match(/\((.*)\)$/)?.[1] ?? frame.replace(/^\s+at (?:async )?/, '')
  return location.replace(/^file:\/\//, '')
}

/**
 * The frames in the user's code of the first stack along `site`'s causes that has any:
 * a server that listens from a DNS callback was created where the user called listen().
 */
export function userFrames(site: Site | undefined): string[] {
  for (const stack of siteStacks(site)) {
    const user = stack.split('\n').filter(isUserFrame)
    if (user.length > 0) return user
  }
  return []
}

// The entry point of a timer function that a library implements for its caller (jsdom's and
// happy-dom's window.setTimeout).
const TIMER_API = /^\s+at (?:[\w$]+\.)*set(?:Timeout|Interval|Immediate) \(/

/**
 * Whose code made the resource at `site`: the origin of the innermost frame not Node's, a builtin
 * or this package's; but a dependency entered through a timer function of its own (a DOM's
 * `window.setTimeout`) made it for its caller, whose origin it is.
 */
export function madeBy(site: Site | undefined): FrameOrigin | undefined {
  let maker: FrameOrigin | undefined
  let entry: string | undefined
  for (const frame of framesOf(site?.stack)) {
    const origin = frameOrigin(frame)
    if (origin === 'node' || origin === 'builtin' || origin === 'package') continue
    if (origin !== 'dependency') return maker === 'dependency' && entry !== undefined && TIMER_API.test(entry) ? origin : (maker ?? origin)
    maker ??= origin
    entry = frame
  }
  return maker
}

/** The innermost frame of `site` that is not Node's, a builtin's or this package's: the line that made the resource. */
export const makerFrame = (site: Site | undefined): string | undefined =>
  framesOf(site?.stack).find((frame) => !['node', 'builtin', 'package'].includes(frameOrigin(frame)))

const NODE_FETCH = /\(node:internal\/deps\/undici\//

/**
 * Whether Node's bundled fetch made the resource at `site` on its own, with no line of the user's
 * or a dependency's on its stack (a connection of its pool, the immediate its HTTP parser resumes
 * in): what the user started is the request, judged as such while in flight; a connection that
 * fetch opens once the request settled or was aborted (to serve its queue again) runs no code of theirs.
 */
export const byNodeFetch = (site: Site | undefined): boolean => madeBy(site) === undefined && framesOf(site?.stack).some((frame) => NODE_FETCH.test(frame))

// Node's own bookkeeping, which runs no code of the user's: the HTTP server's date cache, its
// connections check and its idle keep-alive timeout, and what fetch's bundled undici keeps for its
// pool (timers, idle sockets).
const HOUSEKEEPING = /^\s+at (?:(?:cache|utcDate) \(node:internal\/http:|Server\.setupConnectionsTracking \(node:_http_server:|resOnFinish \(node:_http_server:|.*\(node:internal\/deps\/undici\/)/

/** Whether Node made the resource at `site` for its own bookkeeping (see HOUSEKEEPING), before any user's or dependency's frame. */
export function nodeHousekeeping(site: Site | undefined): boolean {
  for (const frame of framesOf(site?.stack)) {
    if (HOUSEKEEPING.test(frame)) return true
    const origin = frameOrigin(frame)
    if (origin === 'user' || origin === 'dependency') return false
  }
  return false
}

// Frames of the code that runs a module's body as it is imported: Node's loaders, Jest's runtime, Vite's and Vitest's module runners.
const LOADER = /\(node:internal\/modules\/|^\s+at node:internal\/modules\/|[/\\]node_modules[/\\](?:jest-runtime[/\\]|vite-node[/\\]|vite[/\\]dist[/\\]node[/\\]module-runner|vitest[/\\]dist[/\\]module-evaluator)/

/**
 * The frame of the dependency whose module body made the resource at `site` as it was imported
 * (React's scheduler makes a MessageChannel so), or undefined: a dependency's frame is the
 * innermost that is not Node's, and a module loader's comes before any of the user's. For a timer
 * that a timer's callback set, the first of the chain is asked.
 */
export function importedBy(site: Site | undefined): string | undefined {
  for (const stack of siteStacks(site)) {
    let maker: string | undefined
    for (const frame of framesOf(stack)) {
      const origin = frameOrigin(frame)
      if (origin === 'builtin' || origin === 'package') continue
      if (LOADER.test(frame)) return maker
      if (origin === 'node') continue
      if (origin !== 'dependency') return undefined
      maker ??= frame
    }
  }
  return undefined
}

/** `file:line:column` of the user's line that created the resource at `site`. */
export function creationSite(site: Site | undefined): string | undefined {
  const frame = userFrames(site)[0]
  return frame === undefined ? undefined : locationOf(frame)
}

/**
 * The package under node_modules whose code the frame `line` is, e.g. `nock` or `@scope/name`: the
 * one after the last node_modules, as pnpm keeps packages in `node_modules/.pnpm/<name>@<version>/node_modules/<name>`.
 */
export function dependencyOf(line: string): string | undefined {
  const name = /.*[/\\]node_modules[/\\]((?:@[^/\\]+[/\\])?[^/\\]+)/.exec(line)?.[1]
  return name?.replace('\\', '/')
}

/**
 * `error`, with this package's frames taken out of its stack and its causes' (fetch() rejects with
 * the error of a URL that does not parse as its cause): a user's error passes through our wrappers.
 */
export function withoutOwnFrames(error: unknown): unknown {
  const seen = new Set<unknown>()
  for (let e = error; typeof e === 'object' && e !== null && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e)
    const stack = (e as { stack?: unknown }).stack
    if (typeof stack === 'string' && own.length > 0 && own.some((dir) => stack.includes(dir)))
      try {
        ;(e as { stack: string }).stack = stack
          .split('\n')
          .filter((line) => !(isFrame(line) && frameOrigin(line) === 'package'))
          .join('\n')
      } catch {
        // A frozen error keeps its stack.
      }
  }
  return error
}

/**
 * Runs `fn`, during which the stacks that this realm formats leave this package's frames out: for an
 * error that a runner makes and prints at once, under our wrappers (Jest's message for process.exit()).
 */
export function formattingWithoutOwnFrames<R>(fn: () => R): R {
  const previous = Error.prepareStackTrace
  Error.prepareStackTrace = (error, callSites) => {
    const kept = callSites.filter((site) => !own.some((dir) => site.getFileName()?.startsWith(dir)))
    return previous ? previous(error, kept) : [String(error), ...kept.map((site) => `    at ${site}`)].join('\n')
  }
  try {
    return fn()
  } finally {
    Error.prepareStackTrace = previous
  }
}

/** `promise`, rejecting with its error without this package's frames (see withoutOwnFrames). */
export const rejectingWithoutOwnFrames = <T>(promise: Promise<T>): Promise<T> =>
  promise.then(undefined, (error: unknown) => {
    throw withoutOwnFrames(error)
  })

/**
 * Calls `fn`, a user's function that a wrapper of ours calls, cutting this package's frames out of
 * what it throws or its promise rejects with: the user sees the stack a plain runner shows.
 */
export function cutOwnFrames<R>(fn: () => R): R {
  let result: R
  try {
    result = fn()
  } catch (error) {
    throw withoutOwnFrames(error)
  }
  return types.isPromise(result) ? (rejectingWithoutOwnFrames(result) as R) : result
}
