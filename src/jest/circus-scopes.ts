import type { Circus } from '@jest/types'
import type { Engine } from '../core/engine.js'
import { cutOwnFrames, formattingWithoutOwnFrames } from '../core/frames.js'
import type { Mistake, Scope } from '../core/scope.js'
import { escapeRegExp } from '../report/rerun.js'
import type { RunRecord } from '../report/run-records.js'
import { fileSession } from '../session/file-session.js'
import { expectAwaitingAssertions } from './unawaited-assertions.js'
import { warnFromTick } from './warn.js'

type Fn = (this: unknown, ...args: unknown[]) => unknown

/** What turns jest-circus's events into async-debug scopes; see {@link circusScopes}. */
export interface CircusScopes {
  /** From now until the tests start, code outside every hook and test (module bodies) belongs to the file. */
  loading(): void
  /** jest-circus's event handler. It never throws: a throw there loses the whole file's results. */
  handle(event: Circus.Event, state: Circus.State): void | Promise<void>
  /** What the file's scopes were found to leave or do, failed or not, for the run's summary. */
  readonly records: readonly RunRecord[]
  /** Fails a test that has ended with what its code did later, while the file runs; see Engine.onLate. */
  late(mistake: Mistake): boolean
}

// jest-circus's _makeTimeoutMessage; a test's errors are strings, errors or [error, asyncError].
const TIMED_OUT = /^Exceeded timeout of .+ for a (?:test|hook)\b/
function timedOut(entry: unknown): boolean {
  const error = Array.isArray(entry) ? entry[0] : entry
  return TIMED_OUT.test(typeof error === 'string' ? error : String((error as Error | undefined)?.message))
}

// Whether `error` was in `errors`, and is not any more.
function remove(errors: unknown[], error: unknown): boolean {
  const at = errors.lastIndexOf(error)
  if (at >= 0) errors.splice(at, 1)
  return at >= 0
}

// The tests of `block` and of the blocks in it marked test.concurrent, with a function to run.
function concurrentTests(block: Circus.DescribeBlock): Circus.TestEntry[] {
  return block.children.flatMap((child) => (child.type === 'describeBlock' ? concurrentTests(child) : child.concurrent && typeof child.fn === 'function' ? [child] : []))
}

const isGenerator = (fn: Function): boolean => Object.prototype.toString.call(fn) === '[object GeneratorFunction]'

// Its describe blocks' names and its own, the root block's left out.
function namesOf(item: Circus.TestEntry | Circus.DescribeBlock): string[] {
  const names: string[] = []
  for (let at: Circus.TestEntry | Circus.DescribeBlock | undefined = item; at?.parent; at = at.parent) names.unshift(at.name)
  return names
}

const nameOf = (item: Circus.TestEntry | Circus.DescribeBlock): string => namesOf(item).join(' > ')

const thrown = (mistake: Mistake): boolean => mistake.kind === 'uncaught' || mistake.kind === 'unhandled-rejection'

/**
 * Maps jest-circus's lifecycle to scopes: the file (import time and the top-level beforeAll/afterAll),
 * each describe block's beforeAll/afterAll, and each test with its beforeEach/afterEach.
 * User functions are bound to their scope when jest-circus is about to call them, keeping the
 * arity Jest reads to detect a `done` callback; Jest's own timeout timers stay outside.
 * `global`: the test files' global object.
 */
export function circusScopes(engine: Engine, file: string, global: Record<string, unknown>): CircusScopes {
  const fileScope = engine.open('file', file)
  const scopes = new Map<Circus.TestEntry | Circus.DescribeBlock, Scope>()
  // Uncaught errors and unhandled rejections, by the test whose code raised them: jest-circus 30.5
  // charges them to that test, earlier versions to the test running then, or to the file (see 'error').
  // Those that outlive their test, failing it already, by their test; the test scopes not judged yet.
  const thrownLate = new Map<unknown, Circus.TestEntry>()
  const unjudged = new Set<Scope>()
  // Those that Jest charged elsewhere, and which their test's report therefore names.
  const misplaced = new WeakSet<Mistake>()
  const bound = new WeakSet<Function>()
  let state: Circus.State | undefined
  // The scopes that code had before each describe callback being defined, innermost last.
  const defining: (Scope | undefined)[] = []

  function bind(fn: Fn, scopeOf: () => Scope | undefined): Fn {
    // Jest runs generator functions through `co`, which needs the generator itself.
    if (bound.has(fn) || isGenerator(fn)) return fn
    const call = (self: unknown, args: unknown[]): unknown => {
      const scope = scopeOf()
      return scope ? engine.run(scope, () => fn.apply(self, args), fn) : cutOwnFrames(() => fn.apply(self, args))
    }
    const inScope: Fn =
      fn.length > 0
        ? function (this: unknown, done: unknown) {
            return call(this, [done])
          }
        : function (this: unknown) {
            return call(this, [])
          }
    bound.add(inScope)
    return inScope
  }

  const records: RunRecord[] = []
  const keep = (record: RunRecord): void => void records.push(record)
  const session = fileSession<Circus.TestEntry>(engine, file, {
    // Jest reports what was thrown while the test ran, unless it blamed another test or the file.
    reportedByRunner: (mistake) => !mistake.late && thrown(mistake) && !misplaced.has(mistake),
    print: (message) => warnFromTick(global.console as Console, message),
    runner: 'jest',
    // jest-circus matches -t against its test ID: the names of its describe blocks and its own, by spaces.
    testPattern: (test) => `^${escapeRegExp(namesOf(test).join(' '))}$`,
    // jest-circus builds the file's results from its tests' errors when the run finishes.
    failEnded(test, errors, failed) {
      test.errors.push(...errors)
      records.push(...failed)
      return true
    },
  })
  // An unreadable baseline fails the file as the environment is made, not at its first test.
  session.readBaseline()
  function testScopeOf(test: Circus.TestEntry): Scope {
    let scope = scopes.get(test)
    if (!scope) {
      scope = engine.open('test', nameOf(test), scopes.get(test.parent))
      scopes.set(test, scope)
      session.own(scope, test)
      unjudged.add(scope)
    }
    return scope
  }

  // The mistake that the engine charged to a test not judged yet for `error`, if any.
  function chargedFor(error: unknown): Mistake | undefined {
    for (const scope of unjudged) {
      const mistake = scope.mistakes.find((m) => m.cause === error && thrown(m) && !m.late)
      if (mistake) return mistake
    }
    return undefined
  }

  function react(event: Circus.Event): void | Promise<void> {
    switch (event.name) {
      case 'setup': {
        // Test files get `expect` from the global object, or from @jest/globals, which reads these.
        const globals = event.runtimeGlobals as unknown as Record<string, unknown>
        const expect = expectAwaitingAssertions(engine, globals.expect as Parameters<typeof expectAwaitingAssertions>[1])
        if (global.expect === globals.expect) global.expect = expect
        globals.expect = expect
        // jest-runner's process.exit() prints where it was called from, with the frames of the test's callers.
        const testProcess = global.process as { exit?: Fn } | undefined
        const jestExit = testProcess?.exit
        if (testProcess && typeof jestExit === 'function')
          testProcess.exit = function exit(this: unknown, ...args: unknown[]) {
            return formattingWithoutOwnFrames(() => jestExit.apply(this, args))
          }
        return
      }
      // What a describe callback starts while the file loads is its suite's (a describe.skip's too):
      // jest-circus calls it between these two events, which it dispatches from describe() itself.
      case 'start_describe_definition': {
        const block = state?.currentDescribeBlock
        if (!block?.parent) return
        const scope = engine.open('suite', nameOf(block), scopes.get(block.parent) ?? fileScope)
        scopes.set(block, scope)
        defining.push(engine.current())
        engine.enter(scope)
        return
      }
      case 'finish_describe_definition':
        if (defining.length > 0) engine.enter(defining.pop())
        return
      case 'run_describe_start': {
        const block = event.describeBlock
        scopes.set(block, block.parent ? (scopes.get(block) ?? engine.open('suite', nameOf(block), scopes.get(block.parent))) : fileScope)
        return
      }
      case 'hook_start': {
        const { hook } = event
        const each = hook.type === 'beforeEach' || hook.type === 'afterEach'
        // Jest does not run beforeEach/afterEach for concurrent tests: the running test is theirs.
        // Each of their runs gets a part of that test's scope, so that reports name the hook.
        hook.fn = bind(hook.fn as Fn, () => {
          const owner = scopes.get(each ? state?.currentlyRunningTest ?? hook.parent : hook.parent)
          return owner && each ? engine.open('hook', hook.type, owner) : owner
        }) as Circus.HookFn
        return
      }
      case 'run_start':
        engine.adopt(undefined)
        // jest-circus 29 calls every concurrent test's function once the top-level beforeAll hooks
        // have run, long before the test starts (its test_fn_start then awaits what that call returned).
        if (state) for (const test of concurrentTests(state.rootDescribeBlock)) test.fn = bind(test.fn as Fn, () => testScopeOf(test)) as Circus.TestFn
        return
      case 'test_start':
        testScopeOf(event.test)
        return
      // Dispatched from Jest's listener, after the engine, which observes the process's events
      // before their listeners, charged the error to its owner; Jest's own handler has run.
      case 'error': {
        const { error } = event
        const late = thrownLate.get(error)
        thrownLate.delete(error)
        const mistake = late ? undefined : chargedFor(error)
        const owner = late ?? (mistake && session.testOf(mistake.owner))
        if (!owner || !state || owner.errors.includes(error)) return
        const running = state.currentlyRunningTest
        if ((running && running !== owner && remove(running.errors, error)) || remove(state.unhandledErrors, error)) if (mistake) misplaced.add(mistake)
        return
      }
      case 'run_finish':
        thrownLate.clear()
        // The file is judged: what its baseline lists and the run did not find is fixed.
        records.push(...session.end())
        return
      case 'test_fn_start': {
        const { test } = event
        if (test.fn) test.fn = bind(test.fn as Fn, () => scopes.get(test)) as Circus.TestFn
        return
      }
      case 'test_skip':
      case 'test_todo': {
        const scope = scopes.get(event.test)
        if (scope) unjudged.delete(scope)
        scopes.delete(event.test)
        return
      }
      case 'test_done': {
        const { test } = event
        const scope = scopes.get(test)
        if (!scope) return
        scopes.delete(test)
        // Jest waits for a done callback when the test function declares one.
        return session.judge(scope, keep, { failed: test.errors.length > 0, timedOut: test.errors.some(timedOut), awaitsDone: typeof test.fn === 'function' && test.fn.length > 0 }).then((errors) => {
          unjudged.delete(scope)
          test.errors.push(...errors)
        })
      }
      case 'run_describe_finish': {
        const scope = scopes.get(event.describeBlock)
        if (!scope) return
        scopes.delete(event.describeBlock)
        // Errors of a describe block or of the file fail the file, as Jest's own hook errors do.
        return session.judge(scope, keep).then((errors) => void state?.unhandledErrors.push(...errors))
      }
    }
  }

  function internalError(error: unknown): void {
    const failure = new Error(`async-debug failed while handling a Jest event; please report it: ${(error as Error)?.stack ?? String(error)}`)
    state?.unhandledErrors.push(failure)
  }

  return {
    records,
    late(mistake) {
      if (!session.late(mistake)) return false
      if (thrown(mistake)) thrownLate.set(mistake.cause, session.testOf(mistake.owner)!)
      return true
    },
    loading() {
      engine.adopt(fileScope)
    },
    handle(event, current) {
      state = current
      try {
        return react(event)?.catch(internalError)
      } catch (error) {
        internalError(error)
      }
    },
  }
}
