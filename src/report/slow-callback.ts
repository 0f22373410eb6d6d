import type { SlowCallback, SlowRan } from '../core/scope.js'
import { describe } from './descriptions.js'
import { createdWhere } from './stack.js'

const ran: { [K in SlowRan['is']]: (ran: Extract<SlowRan, { is: K }>) => string } = {
  timer: ({ api }) => `a ${api} callback`,
  'callback-of': ({ facts }) => `a callback of ${describe({ facts })}`,
  'sync-part': ({ scope }) => `the synchronous part of ${scope}`,
  continuation: () => 'code that ran once a promise settled (after an await, or in a then() callback)',
}

/** What ran, e.g. `a setTimeout callback`. */
export const whatRan = (what: SlowRan): string => (ran[what.is] as (r: SlowRan) => string)(what)

/** What ran and for how long, e.g. `a setTimeout callback blocked the event loop for 302 ms (slowCallbackMs: 100)`. */
export const slowCallbackMessage = (slow: SlowCallback): string =>
  `${whatRan(slow.ran)} blocked the event loop for ${Math.round(slow.took)} ms (slowCallbackMs: ${slow.limit})`

/** What to do about a callback that blocks the event loop. */
export const slowCallbackHint =
  'move the blocking work off the event loop (a worker thread, or smaller chunks with an await between them), or raise the option `slowCallbackMs` if this is expected'

/** The report of a slow callback that does not fail its test (see `failOnSlowCallback`). */
function slowCallbackReport(slow: SlowCallback): string {
  const { owner, site } = slow
  const message = slowCallbackMessage(slow)
  // Without a site, it was the scope's own function, which the message names.
  if (site === undefined) return `async-debug: ${message}.\n  Hint: ${slowCallbackHint}.`
  return `async-debug: ${message}, ${createdWhere(site)}, in ${owner.title}.\n  Hint: ${slowCallbackHint}.`
}

/**
 * Prints that report on stderr, on either runner. Not through the test's console, which the runners
 * show next to the test: suites that fail tests on unexpected console calls (jest-fail-on-console,
 * vitest-fail-on-console, React Testing Library setups) would fail them for a report.
 */
export const printSlowCallback = (slow: SlowCallback): void => void process.stderr.write(`${slowCallbackReport(slow)}\n`)
