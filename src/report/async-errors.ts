import { frameOrigin, isFrame, userFrames } from '../core/frames.js'
import type { Mistake, MistakeKind } from '../core/tracked.js'
import { slowCallbackHint } from './slow-callback.js'
import { dependencyAt } from './stack.js'

const what: Record<MistakeKind, (owner: string, cause: string, message: string) => string> = {
  uncaught: (owner, cause) => `a callback that ${owner} scheduled threw: ${cause}`,
  'unhandled-rejection': (owner, cause) => `${owner} left a promise rejection unhandled: ${cause}`,
  'late-handled-rejection': (owner, cause) =>
    `${owner} handled a promise rejection too late, after Node had reported it as unhandled: ${cause}`,
  warning: (owner, cause) => `${owner} emitted ${cause}`,
  resumed: (owner, _, message) => `${owner} did not await ${message}`,
  listeners: (owner, cause) => `${owner} left listeners attached to an emitter that outlives it, and with those added after it they went over its limit: ${cause}`,
  'unawaited-assertion': (owner, cause) => `${owner} did not await an assertion: ${cause}`,
  'slow-callback': (owner, cause) => `${owner} blocked the event loop: ${cause}`,
}

const hints: Record<MistakeKind, string | ((cause: unknown) => string)> = {
  uncaught: 'the callback ran outside what the test awaited: await the work it belongs to, or catch the error inside the callback',
  'unhandled-rejection': 'await the promise, or attach .catch() where it is created; a floating async call loses its error otherwise',
  'late-handled-rejection': 'attach .catch() (or await) in the same turn as the promise is created, not after an await',
  warning: (cause) => {
    const name = (cause as Error | undefined)?.name ?? 'Warning'
    const from = dependencyOrigin(cause)
    const option = `the option \`warnings: { ${name}: 'warn' }\``
    return from
      ? `it was emitted by ${from}, a dependency, because of how the code under test calls it: if that is on purpose, let it pass with ${option}; otherwise fix the call`
      : `fix its cause, or choose what the warning does with ${option}`
  },
  'unawaited-assertion': 'await it: `await expect(...).resolves...`; an assertion nobody awaits passes or fails after the test',
  'slow-callback': slowCallbackHint,
  listeners: (cause) => {
    const count = (cause as { count?: number }).count ?? 1
    return `remove the ${count === 1 ? 'listener' : `${count} listeners`} it adds before it ends: emitter.off(type, listener), e.g. in afterEach, or emitter.once(); if that many are meant, raise the emitter's limit with setMaxListeners()`
  },
  resumed:
    'await the call (or return its promise) so that it finishes within the test that starts it; if it is meant to outlive the test, stop it before the test ends, or say so with allowPending(promise, reason)',
}

// The package under node_modules whose code emitted a warning, if a dependency's did.
function dependencyOrigin(cause: unknown): string | undefined {
  const stack = (cause as Error | undefined)?.stack
  const frame = typeof stack === 'string' ? stack.split('\n').find((line) => isFrame(line) && frameOrigin(line) !== 'node') : undefined
  const dependency = frame && dependencyAt(frame)
  return dependency ? `"${dependency.name}" (${dependency.location})` : undefined
}

const summary = (cause: unknown): string =>
  cause instanceof Error || (typeof cause === 'object' && cause !== null && 'message' in cause)
    ? `${(cause as Error).name ?? 'Error'}: ${(cause as Error).message}`
    : String(cause)

/** The failure for an async mistake, charged to the scope whose code made it. */
export class AsyncTaskError extends Error {
  override name = 'AsyncTaskError'
  /** What kind of mistake; out of the properties that runners serialize next to the error. */
  declare readonly kind: MistakeKind

  constructor({ kind, owner, cause, late }: Mistake) {
    const hint = hints[kind]
    const instead = late ? `\n\n${owner.title} had already finished, so this is reported here instead.` : ''
    super(`${what[kind](owner.title, summary(cause), String((cause as Error | undefined)?.message))}${instead}\n\nHint: ${typeof hint === 'function' ? hint(cause) : hint}.`, { cause })
    Object.defineProperty(this, 'kind', { value: kind, enumerable: false })
    // The runner's code frame goes to the user's line in the cause's own stack.
    const stack = (cause as Error | undefined)?.stack
    this.stack = `${this.name}: ${this.message}\n${userFrames(typeof stack === 'string' ? { stack, cause: undefined } : undefined).join('\n')}`
  }
}
