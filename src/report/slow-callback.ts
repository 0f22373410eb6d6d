import type { SlowCallback } from '../core/tracked.js'
import { createdWhere } from './stack.js'

/** What to do about a callback that blocks the event loop. */
export const slowCallbackHint =
  'move the blocking work off the event loop (a worker thread, or smaller chunks with an await between them), or raise the option `slowCallbackMs` if this is expected'

/** The report printed next to the test for a slow callback that does not fail it (see `failOnSlowCallback`). */
export function slowCallbackReport({ message, owner, site }: SlowCallback): string {
  // Without a site, it was the scope's own function, which the message names.
  if (site === undefined) return `async-debug: ${message}.\n  Hint: ${slowCallbackHint}.`
  return `async-debug: ${message}, ${createdWhere(site)}, in ${owner.title}.\n  Hint: ${slowCallbackHint}.`
}
