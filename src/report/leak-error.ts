import type { Scope } from '../core/scope.js'
import type { Finding } from '../core/tracked.js'
import { hints } from './hints.js'
import { creationSite, userFrames } from './stack.js'

const after: Record<Scope['kind'], string> = {
  test: 'when it ended (after its afterEach hooks)',
  suite: 'after its afterAll hooks',
  file: 'at the end of the file (it was created at import time or in a top-level beforeAll)',
  fixture: 'after its teardown',
  worker: 'when the worker finished',
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/** A failure listing leaked or pending resources, whose stack is where the first one was created. */
export class AsyncLeakError extends Error {
  override name = 'AsyncLeakError'

  constructor(
    message: string,
    readonly findings: readonly Finding[],
  ) {
    super(message)
    const frames = userFrames(findings[0]?.tracked.site)
    // The runner shows its code frame at the first frame: the line that created the first leak.
    this.stack = `${this.name}: ${message}\n${frames.join('\n')}`
  }
}

/** The numbered list of findings, each with where it was created and what to do. */
export function listFindings(findings: readonly Finding[]): string {
  return findings
    .map(({ description, type, tracked }, i) => {
      const site = creationSite(tracked.site)
      const where = site ? `created at ${site}` : 'created by Node or a dependency (no line of your code on its stack)'
      return `  ${i + 1}. ${description}, ${where}\n     Hint: ${hints[type]}.`
    })
    .join('\n')
}

/** The failure for what `scope` left alive when it was judged. */
export function leakError(scope: Scope, findings: readonly Finding[], disposed: boolean): AsyncLeakError {
  const lines = [
    `${scope.title} left ${plural(findings.length, 'async resource')} alive ${after[scope.kind]}:`,
    '',
    listFindings(findings),
  ]
  if (disposed) lines.push('', `async-debug disposed of ${findings.length === 1 ? 'it' : 'them'} so that later tests are not affected.`)
  return new AsyncLeakError(lines.join('\n'), findings)
}
