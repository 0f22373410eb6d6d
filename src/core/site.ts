/** Where a resource was created. */
export interface Site {
  /** Set by Error.captureStackTrace; V8 formats it only when it is first read. */
  stack?: string
  /** Where the user started what created it, when its own stack has no user frame (a server's `listen()`). */
  cause: Site | undefined
  /** `performance.now()` when it was recorded; kept for promises, which have no Tracked. */
  time?: number
  /** For a promise: where the function that created it starts, once asked (see promises/record.ts). */
  enclosing?: string
}

/** The stacks of `site` and of the sites that caused it, innermost first. */
export function siteStacks(site: Site | undefined): string[] {
  const stacks: string[] = []
  for (let s = site; s; s = s.cause) stacks.push(s.stack ?? '')
  return stacks
}
