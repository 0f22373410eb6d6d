import { creationSite, userFrames } from '../core/frames.js'
import type { Scope, Stray } from '../core/scope.js'
import { describe, plural } from './descriptions.js'
import type { RecordedFinding, ScopeRecord } from './run-records.js'
import { createdWhere } from './stack.js'

/**
 * Said with a failed test's errors: code of tests that had ended ran while it was open (their
 * callbacks, their async functions going on), the usual cause of a test that fails only after
 * another. Not a failure of its own: it is added only to a test that failed. Its stack is where
 * the first of that code was made, so that the runner shows that line.
 */
export class AsyncInterference extends Error {
  override name = 'AsyncInterference'

  constructor(message: string, first: Stray) {
    super(message)
    this.stack = `${this.name}: ${message}\n${userFrames(first.site).join('\n')}`
  }
}

/**
 * What ran into `test` of tests that had ended, worded, one block per such test, with a record of
 * each for the run's report; undefined when nothing did.
 */
export function interference(test: Scope): { error: AsyncInterference; records: ScopeRecord[] } | undefined {
  if (test.strays === undefined || test.strays.size === 0) return undefined
  const byTest = new Map<Scope, Stray[]>()
  for (const stray of test.strays.values()) {
    const strays = byTest.get(stray.from)
    if (strays) strays.push(stray)
    else byTest.set(stray.from, [stray])
  }
  const blocks: string[] = []
  const records: ScopeRecord[] = []
  for (const [from, strays] of byTest) {
    const list = strays.map((stray, i) => `  ${i + 1}. ${entry(stray)}`).join('\n')
    const block = `code of ${from.title} ran while this test ran, ${ended(from, test)}:\n${list}`
    blocks.push(block)
    records.push({ kind: 'interference', outcome: 'noted', reason: `code of ${from.title} ran while it ran`, findings: strays.map(recorded), text: block })
  }
  const message = `${blocks.join('\n')}\n\nHint: if this test fails only after ${byTest.size === 1 ? 'that one' : 'those'}, that code may be why: clear or await what a test starts before it ends (allowPending() and ignore rules let it run on into later tests).`
  return { error: new AsyncInterference(message, test.strays.values().next().value!), records }
}

function ended(from: Scope, test: Scope): string {
  if (from.endedAt === undefined) return 'which had ended'
  const before = Math.round(test.openedAt - from.endedAt)
  return before >= 0 ? `which had ended ${before} ms before it started` : 'which ended while it ran'
}

function entry({ finding, site, runs }: Stray): string {
  if (finding === undefined) return `its async functions went on, at ${creationSite(site) ?? 'a line of no file of yours'}`
  return `${plural(runs, 'callback')} of ${describe(finding)}, ${createdWhere(site)}`
}

function recorded(stray: Stray): RecordedFinding {
  const site = creationSite(stray.site)
  const description = stray.finding === undefined ? 'async functions went on' : `${plural(stray.runs, 'callback')} of ${describe(stray.finding)}`
  const type = stray.finding?.type ?? 'promise'
  return site === undefined ? { type, description } : { type, description, site }
}
