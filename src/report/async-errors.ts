import { frameOrigin, framesOf, userFrames } from '../core/frames.js'
import { callName, plural } from './descriptions.js'
import type { Mistake, MistakeKind, Resumed, SlowCallback } from '../core/scope.js'
import { slowCallbackHint, slowCallbackMessage } from './slow-callback.js'
import { dependencyAt } from './stack.js'
import { type Rerun, rerunLine } from './rerun.js'

const what: Record<MistakeKind, (owner: string, cause: string, message: string, raw: unknown) => string> = {
  uncaught: (owner, cause) => `a callback that ${owner} scheduled threw: ${cause}`,
  'unhandled-rejection': (owner, cause) => `${owner} left a promise rejection unhandled: ${cause}`,
  'late-handled-rejection': (owner, cause) =>
    `${owner} handled a promise rejection too late, after Node had reported it as unhandled: ${cause}`,
  warning: (owner, cause) => `${owner} emitted ${cause}`,
  resumed: (owner, _, __, cause) => {
    const { fn, at, during, ownerKind } = cause as Resumed
    return `${owner} did not await ${callName(fn)}, which ran again${at ? ` at ${at}` : ''}${during ? ` during ${during}` : ''}, after the ${ownerKind} had ended`
  },
  listeners: (owner, cause, _, raw) => {
    const { added } = raw as { added?: { at: string; byOthers: boolean } }
    const where = added === undefined ? '' : added.byOthers ? ` (the other tests added theirs at ${added.at})` : ` (its first added at ${added.at})`
    return `${owner} left listeners attached to an emitter that outlives it${where}, and with those added after it they went over its limit: ${cause}`
  },
  'unawaited-assertion': (owner, cause) => `${owner} did not await an assertion: ${cause}`,
  'slow-callback': (owner, _, __, slow) => `${owner} blocked the event loop: SlowCallback: ${slowCallbackMessage(slow as SlowCallback)}`,
}

const hints: Record<MistakeKind, string | ((cause: unknown) => string)> = {
  uncaught: 'the callback ran outside what the test awaited: await the work it belongs to, or catch the error inside the callback',
  'unhandled-rejection': 'await the promise, or attach .catch() where it is created; a floating async call loses its error otherwise',
  'late-handled-rejection': 'attach .catch() (or await) in the same turn as the promise is created, not after an await',
  warning: (cause) => {
    const { name = 'Warning', message = '', code } = (cause ?? {}) as Error & { code?: unknown }
    const from = dependencyOrigin(cause)
    const option = `the option \`ignore: { warnings: [${JSON.stringify(typeof code === 'string' ? code : excerpt(message))}] }\` (every ${name}: \`warnings: { ${name}: 'warn' }\`)`
    return from
      ? `it was emitted by ${from}, a dependency, because of how the code under test calls it: if that is on purpose, let this warning pass with ${option}; otherwise fix the call`
      : `fix its cause; if the test provokes it on purpose, let this warning pass with ${option}`
  },
  'unawaited-assertion': 'await it: `await expect(...).resolves...`; an assertion nobody awaits passes or fails after the test',
  'slow-callback': slowCallbackHint,
  listeners: (cause) => {
    const { count = 1, others = 0 } = cause as { count?: number; others?: number }
    const shared = others > 0 ? `; ${plural(others, 'other test')} left theirs on the same emitter, and fail for it too` : ''
    return `remove the ${count === 1 ? 'listener' : `${count} listeners`} it adds before it ends: emitter.off(type, listener), e.g. in afterEach, or emitter.once(); if that many are meant, raise the emitter's limit with setMaxListeners()${shared}`
  },
  resumed:
    'await the call (or return its promise) so that it finishes within the test that starts it; if it is meant to outlive the test, stop it before the test ends, or say so with allowPending(promise, reason)',
}

// Enough of a warning's message to match it alone: its first line, cut at a word within 60 characters.
function excerpt(message: string): string {
  const line = message.split('\n', 1)[0] ?? ''
  const space = line.lastIndexOf(' ', 60)
  return line.length <= 60 ? line : line.slice(0, space > 20 ? space : 60)
}

// The package under node_modules whose code emitted a warning, if a dependency's did.
function dependencyOrigin(cause: unknown): string | undefined {
  const stack = (cause as Error | undefined)?.stack
  const frame = typeof stack === 'string' ? framesOf(stack).find((line) => frameOrigin(line) !== 'node') : undefined
  const dependency = frame && dependencyAt(frame)
  return dependency ? `"${dependency.name}" (${dependency.location})` : undefined
}

const hasMessage = (cause: unknown): cause is Error => cause instanceof Error || (typeof cause === 'object' && cause !== null && 'message' in cause)

// What was thrown or warned, with the causes it has itself (fetch's "TypeError: fetch failed" is
// caused by the connection's error), which the failure does not carry as its own cause.
function summary(cause: unknown, depth = 0): string {
  if (!hasMessage(cause)) return String(cause)
  const text = `${cause.name ?? 'Error'}: ${cause.message}`
  return cause.cause === undefined || depth >= 3 ? text : `${text} (caused by ${summary(cause.cause, depth + 1)})`
}

// The frames to show for what was thrown: the user's, or else (a dependency's or Node's code threw
// on its own) all but the runner's and async-debug's.
function shownFrames(stack: unknown): string[] {
  if (typeof stack !== 'string') return []
  const user = userFrames({ stack, cause: undefined })
  return user.length > 0 ? user : framesOf(stack).filter((line) => !['package', 'runner'].includes(frameOrigin(line)))
}

/**
 * The failure for an async mistake, charged to the scope whose code made it. It is its message and
 * stack only: runners serialize every other own property, enumerable or not, into their reports
 * (Vitest's JUnit and github-actions reporters print them as "Serialized Error"), and print a
 * `cause` again after it, which the message and stack already show.
 */
export class AsyncTaskError extends Error {
  override name = 'AsyncTaskError'

  /** `rerun`: how to rerun its test in the debugger, said last, stopping at the user's line of what was thrown. */
  constructor({ kind, owner, cause, late }: Mistake, rerun?: Rerun) {
    const hint = hints[kind]
    const instead = late ? `\n\n${owner.title} had already finished, so this is reported here instead.` : ''
    const stack = (cause as Error | undefined)?.stack
    const debug = rerunLine(rerun, typeof stack === 'string' ? { stack, cause: undefined } : undefined)
    super(`${what[kind](owner.title, summary(cause), String((cause as Error | undefined)?.message), cause)}${instead}\n\nHint: ${typeof hint === 'function' ? hint(cause) : hint}.${debug}`)
    // The runner's code frame goes to the user's line in the cause's own stack.
    this.stack = `${this.name}: ${this.message}\n${shownFrames((cause as Error | undefined)?.stack).join('\n')}`
  }
}
