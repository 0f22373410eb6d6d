import type { Finding, Scope } from '../core/scope.js'
import { listFindings } from './leak-error.js'
import { awaitedFirst, worthShowing } from './pending-tasks.js'
import { userFrames } from '../core/frames.js'
import { type Rerun, rerunLine } from './rerun.js'

/** Added to a test that timed out: what it was still waiting on, so that the hang has a line. */
export class AsyncHangError extends Error {
  override name = 'AsyncHangError'

  // What it waits on is not kept on the error: runners serialize every own property (see AsyncLeakError).
  /** `awaitsDone`: the test takes a `done` callback, which its runner waits for; `rerun`: how to rerun it in the debugger, said last. */
  constructor(scope: Scope, waitingOn: readonly Finding[], awaitsDone = false, rerun?: Rerun) {
    const findings = worthShowing(awaitedFirst(waitingOn))
    const done = awaitsDone ? ' for its done callback to be called' : ''
    super(
      findings.length > 0
        ? `${scope.title} timed out${awaitsDone ? ` waiting${done},` : ''} while still waiting on:\n\n${listFindings(findings, { hint: false })}\n\nHint: the first of these is what it waited on last: the event, reply or timer it needs never came${awaitsDone ? ', or it came and done() was not called' : ''}.`
        : awaitsDone
          ? `${scope.title} timed out waiting${done}, and async-debug knows of nothing else it was still waiting on: done() was never called, or with a wrong argument count.`
          : `${scope.title} timed out, and async-debug knows of nothing it was still waiting on: no live timer or handle, and no pending promise of its with a creation stack (a promise-heavy test gets a stack for only some of its promises; the option \`tracePromises: true\` records all).`,
    )
    this.message += rerunLine(rerun, findings[0]?.tracked.site)
    // The runner shows its code frame at the first frame: the line that the test waits on.
    this.stack = `${this.name}: ${this.message}\n${userFrames(findings[0]?.tracked.site).join('\n')}`
  }
}
