import type { Mistake, MistakeKind } from '../core/tracked.js'
import { slowCallbackHint } from './slow-callback.js'
import { userFrames } from './stack.js'

const what: Record<MistakeKind, (owner: string, cause: string) => string> = {
  uncaught: (owner, cause) => `a callback that ${owner} scheduled threw: ${cause}`,
  'unhandled-rejection': (owner, cause) => `${owner} left a promise rejection unhandled: ${cause}`,
  'late-handled-rejection': (owner, cause) =>
    `${owner} handled a promise rejection too late, after Node had reported it as unhandled: ${cause}`,
  warning: (owner, cause) => `${owner} emitted ${cause}`,
  'unawaited-assertion': (owner, cause) => `${owner} did not await an assertion: ${cause}`,
  'slow-callback': (owner, cause) => `${owner} blocked the event loop: ${cause}`,
}

const hints: Record<MistakeKind, string | ((cause: unknown) => string)> = {
  uncaught: 'the callback ran outside what the test awaited: await the work it belongs to, or catch the error inside the callback',
  'unhandled-rejection': 'await the promise, or attach .catch() where it is created; a floating async call loses its error otherwise',
  'late-handled-rejection': 'attach .catch() (or await) in the same turn as the promise is created, not after an await',
  warning: (cause) =>
    `fix its cause, or choose what the warning does with the option \`warnings: { ${(cause as Error | undefined)?.name ?? 'Warning'}: 'warn' }\``,
  'unawaited-assertion': 'await it: `await expect(...).resolves...`; an assertion nobody awaits passes or fails after the test',
  'slow-callback': slowCallbackHint,
}

const summary = (cause: unknown): string =>
  cause instanceof Error || (typeof cause === 'object' && cause !== null && 'message' in cause)
    ? `${(cause as Error).name ?? 'Error'}: ${(cause as Error).message}`
    : String(cause)

/** The failure for an async mistake, charged to the scope whose code made it. */
export class AsyncTaskError extends Error {
  override name = 'AsyncTaskError'
  readonly kind: MistakeKind

  constructor({ kind, owner, cause, late }: Mistake) {
    const hint = hints[kind]
    const instead = late ? `\n\n${owner.title} had already finished, so this is reported here instead.` : ''
    super(`${what[kind](owner.title, summary(cause))}${instead}\n\nHint: ${typeof hint === 'function' ? hint(cause) : hint}.`, { cause })
    this.kind = kind
    // The runner's code frame goes to the user's line in the cause's own stack.
    const stack = (cause as Error | undefined)?.stack
    this.stack = `${this.name}: ${this.message}\n${userFrames(typeof stack === 'string' ? { stack, cause: undefined } : undefined).join('\n')}`
  }
}
