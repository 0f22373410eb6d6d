import { creationSite, locationOf, userFrames } from '../core/frames.js'
import { canDispose } from '../core/async-types.js'
import type { Finding, Scope } from '../core/scope.js'
import { hints } from './hints.js'
import { createdWhere, dependencyFrame } from './stack.js'
import { callName, describe, plural } from './descriptions.js'
import { type Rerun, rerunLine } from './rerun.js'

const after: Record<Scope['kind'], string> = {
  test: 'when it ended (after its afterEach hooks)',
  hook: 'when its test ended',
  handler: 'when its test ended',
  suite: 'after its afterAll hooks',
  file: 'at the end of the file (made by its top-level code or a top-level beforeAll)',
  fixture: 'after its teardown',
  worker: 'when the worker finished',
}

/** A failure listing leaked or pending resources, whose stack is where the first one was created. */
export class AsyncLeakError extends Error {
  override name = 'AsyncLeakError'

  // What was found is not kept on the error: runners serialize every own property, enumerable or
  // not (Vitest's serializer), and live handles would go into their reports.
  constructor(message: string, findings: readonly Finding[]) {
    super(message)
    const frames = userFrames(findings[0]?.tracked.site)
    // The runner shows its code frame at the first frame: the line that created the first leak.
    this.stack = `${this.name}: ${message}\n${frames.join('\n')}`
  }
}

/**
 * The numbered list of findings, each with where it was created and, unless `hint` is off, what to
 * do. Findings alike (the same description from the same line: a pool's fifty workers) are one
 * entry, with how many.
 */
export function listFindings(findings: readonly Finding[], { hint = true } = {}): string {
  const entries = new Map<string, { finding: Finding; count: number }>()
  for (const finding of findings) {
    const by = finding.awaitedBy
    const awaited = by ? `\n     Awaited by ${callName(by.asyncFunction)}, ${whereFrom(by)}, which nothing awaits.` : ''
    const text = `${finding.name === undefined ? '' : `"${finding.name}": `}${describe(finding)}, ${whereFrom(finding)}${awaited}`
    const entry = entries.get(text)
    if (entry) entry.count++
    else entries.set(text, { finding, count: 1 })
  }
  return [...entries]
    .map(([text, { finding, count }], i) => `  ${i + 1}. ${count > 1 ? `${count} × ` : ''}${text}${hint ? `\n     Hint: ${hintFor(finding)}.` : ''}`)
    .join('\n')
}

// A resource that a dependency made on its own: what to do is the dependency's cleanup, or an ignore rule.
function hintFor({ type, tracked }: Finding): string {
  const dependency = creationSite(tracked.site) === undefined ? dependencyFrame(tracked.site) : undefined
  if (dependency === undefined) return hints[type]
  return `${hints[type]}; "${dependency.name}" made it for something the test started: end that (the dependency's close, abort or cleanup call, e.g. in afterEach), or let it pass with the option \`ignore.stacks: ['node_modules/${dependency.name}/']\``
}

// What to say of a resource of this type whose stack shows no line of the user's, instead of its creator.
const unlocated: Partial<Record<Finding['type'], string>> = {
  // undici sends a fetch() in turns of its own, off its caller's stack.
  request: 'sent off its caller\'s stack (fetch() sends in turns of its own): its line is not known',
}

function whereFrom({ where, tracked, type }: Finding): string {
  if (where !== undefined) return where
  const site = tracked.site
  const instead = unlocated[type]
  if (instead !== undefined && creationSite(site) === undefined) return instead
  const { kind, name } = tracked.owner
  const created = createdWhere(site, kind === 'hook' ? ` by its ${name} hook` : kind === 'handler' ? " by a server's handler for its request" : '')
  return `${created}${calledFrom(site)}`
}

// Made in the project's own sources for a test (a pool, a client): the test's line too, which started it.
function calledFrom(site: Finding['tracked']['site']): string {
  const [first, ...callers] = userFrames(site).map(locationOf)
  const file = (location: string): string => location.replace(/:\d+:\d+$/, '')
  // The outermost: the test's own line, past the project's modules between.
  const caller = first && [...callers].reverse().find((location) => file(location) !== file(first))
  return caller ? `, called from ${caller}` : ''
}

/**
 * The failure for what `scope` left alive when it was judged; `when` says when that was, for what
 * an enclosing scope judged (see Finding.held). `rerun`: how to rerun its test in the debugger,
 * said last, stopping where the first finding was created.
 */
export function leakError(scope: Scope, findings: readonly Finding[], disposed: boolean, when = after[scope.kind], rerun?: Rerun): AsyncLeakError {
  const lines = [
    `${scope.title} left ${plural(findings.length, 'async resource')} alive ${when}:`,
    '',
    listFindings(findings),
  ]
  // Fake timers of a clock that an enclosing scope installed are not the scope's to restore.
  const stopped = findings.filter(({ tracked }) => canDispose(tracked.asyncType)).length
  if (disposed && stopped > 0) lines.push('', `async-debug disposed of ${stopped === findings.length ? (stopped === 1 ? 'it' : 'them') : `the ${plural(stopped, 'resource')} it could stop`} so that later tests are not affected.`)
  return new AsyncLeakError(`${lines.join('\n')}${rerunLine(rerun, findings[0]?.tracked.site)}`, findings)
}
