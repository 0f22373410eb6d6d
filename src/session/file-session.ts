import type { Engine } from '../core/engine.js'
import { type Mistake, type Scope, testScope } from '../core/scope.js'
import { AsyncTaskError } from '../report/async-errors.js'
import { type FileBaseline, fileBaseline } from '../report/baseline.js'
import { interference } from '../report/interference.js'
import type { Rerun } from '../report/rerun.js'
import type { RunRecord, ScopeRecord } from '../report/run-records.js'
import { type Reporting, mistakeRecord, scopeErrors } from '../report/scope-errors.js'

/** What a file's session asks of its runner's adapter. */
export interface SessionRunner<Test> {
  /** Prints a report next to the scope's results: what an allowed test left alive. */
  print(message: string): void
  /** Mistakes that the runner reports itself, and that must not be reported twice. */
  reportedByRunner?(mistake: Mistake): boolean
  /** Fails `test`, which has ended, with `errors`, keeping `records` of why; false where the runner can no longer change its result. */
  failEnded(test: Test, errors: Error[], records: RunRecord[]): boolean
  /** The floating calls warned of so far (see floating-warnings.ts): a worker that runs many files shares them. */
  warned?: Set<string>
  /** The runner in use, for the command that reruns a failed test in the debugger. */
  runner: Rerun['runner']
  /** A pattern that the runner's `-t` matches against `test`'s full name, and no other test's of its file. */
  testPattern(test: Test): string
}

/** Keeps the record of `scope` that judging made: Vitest on the judged task, Jest in the file's list. */
export type Keep = (record: RunRecord, scope: Scope) => void

/** What both runner adapters do for one test file; see {@link fileSession}. */
export interface FileSession<Test> {
  /** Notes that `scope` is `test`'s: what its code does later can still fail it, until the file ends. */
  own(scope: Scope, test: Test): void
  /** The runner's test that `scope` is, or is a part of (a hook, a request handler), if one was owned. */
  testOf(scope: Scope): Test | undefined
  /** Reads the file's baseline now rather than when judging first needs it: an unreadable one throws here. */
  readBaseline(): void
  /**
   * Judges `scope`: the errors to fail it with; its records go to `keep`. `failed`: the runner
   * failed it already (an assertion, an error, a timeout); `timedOut`: it timed out;
   * `awaitsDone`: the runner waits for the done callback of its function. A test that fails is
   * told what code of tests that had ended ran while it ran (see report/interference.ts).
   */
  judge(scope: Scope, keep: Keep, verdict?: { failed?: boolean; timedOut?: boolean; awaitsDone?: boolean }): Promise<Error[]>
  /** Fails the ended test of `mistake`'s owner with it, unless the file has ended; see Engine.onLate. */
  late(mistake: Mistake): boolean
  /** The file has been judged: its tests' results are final. What its baseline lists and the run did not find, as fixed records. */
  end(): RunRecord[]
}

/**
 * Turns what the engine finds in test file `file` (as the runner names it) into errors and run
 * records: judges its scopes with its baseline, and fails a test that has ended with what its
 * code did later (held resources its afterAll did not close, late mistakes) until the file ends.
 */
export function fileSession<Test>(engine: Engine, file: string, runner: SessionRunner<Test>): FileSession<Test> {
  // A test's scope outlives its result: what its code does later can still fail it, until its file ends.
  const tests = new WeakMap<Scope, Test>()
  let finished = false
  // Read once, when first needed (Jest asks for it early: see readBaseline).
  let baseline: FileBaseline | undefined
  const readBaseline = (): FileBaseline | undefined => (engine.settings.baseline === undefined ? undefined : (baseline ??= fileBaseline(engine.settings.baseline, file)))
  // A record with the kind of its scope, so that no reader parses its title. Records are of the
  // scope judged (a test, its hooks' runs included) or of the test that left what it held.
  const recordOf = (scope: Scope, record: ScopeRecord): RunRecord => ({ file, scope: scope.title, scopeKind: scope.kind, ...record })

  function failEnded(scope: Scope, errors: Error[], records: ScopeRecord[] = []): boolean {
    const test = tests.get(scope)
    if (finished || test === undefined) return false
    return runner.failEnded(test, errors, records.map((record) => recordOf(scope, record)))
  }
  // The command that each failure ends with reruns its test (or, for a file's or suite's scope, its file).
  function rerun(scope: Scope): Rerun {
    const test = testScope(scope).kind === 'test' ? tests.get(testScope(scope)) : undefined
    return { runner: runner.runner, file, test: test === undefined ? undefined : runner.testPattern(test) }
  }
  const reporting: Reporting = {
    rerun,
    disposed: engine.settings.dispose,
    ...(runner.reportedByRunner ? { reportedByRunner: runner.reportedByRunner } : {}),
    print: runner.print,
    warned: runner.warned ?? new Set(),
    failEnded,
    failOn: engine.settings.failOn,
  }

  return {
    own: (scope, test) => void tests.set(scope, test),
    testOf: (scope) => tests.get(testScope(scope)),
    readBaseline: () => void readBaseline(),
    async judge(scope, keep, { failed = false, timedOut = false, awaitsDone = false } = {}) {
      // What it waits on is gone once judged (and disposed of): ask first.
      const waitingOn = timedOut ? engine.waitingOn(scope) : undefined
      const findings = await engine.close(scope)
      const errors = scopeErrors(scope, findings, { ...reporting, onRecord: (owner, record) => keep(recordOf(owner, record), owner), baseline: readBaseline() }, waitingOn, awaitsDone)
      const note = failed || timedOut || errors.length > 0 ? interference(scope) : undefined
      if (note === undefined) return errors
      for (const record of note.records) keep(recordOf(scope, record), scope)
      return [...errors, note.error]
    },
    late(mistake) {
      const error = new AsyncTaskError(mistake, rerun(testScope(mistake.owner)))
      return failEnded(testScope(mistake.owner), [error], [{ ...mistakeRecord(mistake, error), outcome: 'failed' }])
    },
    end() {
      finished = true
      return readBaseline()?.left() ?? []
    },
  }
}
