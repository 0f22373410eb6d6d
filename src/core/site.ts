/** Where a resource was created. */
export interface Site {
  /** Set by Error.captureStackTrace; V8 formats it only when it is first read. */
  stack?: string
  /** Where the user started what created it, when its own stack has no user frame (a server's `listen()`). */
  cause: Site | undefined
  /** `performance.now()` when it was recorded; kept for promises, which have no Tracked. */
  time?: number
  /** For a promise: where the function that created it starts, once asked (see promises/track.ts). */
  enclosing?: string
}

/** The stacks of `site` and of the sites that caused it, innermost first. */
export function siteStacks(site: Site | undefined): string[] {
  const stacks: string[] = []
  for (let s = site; s; s = s.cause) stacks.push(s.stack ?? '')
  return stacks
}

/** Takes the site of the code calling `below`; see {@link capture}. */
export type Capture = (below: Function, depth?: number) => Site

// Frames above the user's line in a creation stack: our hook, Node's internals and a library or two.
const STACK_DEPTH = 40

/** Where the code calling `below` is; V8 formats the stack only when `site.stack` is first read. */
export function capture(below: Function, depth = STACK_DEPTH): Site {
  const site: Site = { cause: undefined }
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = depth
  Error.captureStackTrace(site, below)
  Error.stackTraceLimit = limit
  return site
}
