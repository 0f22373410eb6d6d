import type { RunnerTask, RunnerTestCase, RunnerTestFile } from 'vitest'
import type { Engine } from '../core/engine.js'
import { type Scope, testScope } from '../core/scope.js'
import { escapeRegExp } from '../report/rerun.js'
import { testNameSeparator } from './runtime.js'
import type { RunRecord } from '../report/run-records.js'
import { type Reporting, scopeErrors } from '../report/scope-errors.js'
import { type FileSession, type Keep, fileSession } from '../session/file-session.js'
import { type Annotating, annotate } from './annotations.js'

/** The runner, as far as results go: it sends a task's result again, and annotates tests. */
export type ResultsRunner = Annotating & { onTaskUpdate?(packs: [string, RunnerTask['result'], RunnerTask['meta']][], events: unknown[]): unknown }

/** How findings become Vitest task results; see {@link taskResults}. */
export interface TaskResults {
  /** The runner that results are sent through: the one whose methods Vitest calls. */
  useRunner(runner: ResultsRunner): void
  /** Notes that `scope` is `test`'s: what its code does later can still fail it, until its file ends. */
  own(scope: Scope, test: RunnerTestCase): void
  /** Judges `scope`; the errors to fail `task` with. What did not fail it is recorded on `task`. `verdict`: see FileSession.judge. */
  judge(scope: Scope, task?: RunnerTask, verdict?: { failed: boolean; timedOut: boolean }): Promise<Error[]>
  /** How many records `task` carries, to tell whether judging added any. */
  recordCount(task: RunnerTask): number
  /** Sends `task`'s result, meta included, again: Vitest may have sent it before it was judged. */
  resend(task: RunnerTask): void
  /** `file` has been judged: what its baseline lists and the run did not find is fixed, and its tests' results are final. */
  fileEnded(file: RunnerTestFile): void
}

/**
 * Fails a task's result with `errors` where no patched runner method is left to throw them from; Vitest
 * reports them as the task's. Vitest 5 prints a test's errors from its attempts, which it recorded as
 * the test ended: they go to its last attempt too.
 */
export function fail(result: NonNullable<RunnerTask['result']>, errors: readonly Error[]): void {
  result.state = 'fail'
  const attempt = (result as { attempts?: { state: string; errors?: unknown[] }[] }).attempts?.at(-1)
  if (attempt) attempt.state = 'fail'
  for (const error of errors) {
    const serialized = { name: error.name, message: error.message, stack: error.stack ?? '' }
    ;(result.errors ??= []).push(serialized as never)
    if (attempt) (attempt.errors ??= []).push(serialized)
  }
}

/**
 * Turns what the engine finds into Vitest task results: errors of the scope's task, records on the
 * task's meta for the summary reporter and annotations, and a test that its code fails after it
 * ended (see Engine.onLate). A worker runs many files: each has its session while it runs.
 */
export function taskResults(engine: Engine): TaskResults {
  let runner: ResultsRunner | undefined
  // What was found travels with its task's result, to the summary reporter.
  type Meta = { asyncDebug?: { records: RunRecord[] } }
  const recordsOf = (task: RunnerTask): RunRecord[] => ((task.meta as Meta).asyncDebug ??= { records: [] }).records
  const fileOf = (task: RunnerTask): string => task.file?.name ?? task.name
  // Through the console of the moment, which Vitest shows next to the running test.
  const print = (message: string): void => console.warn(message)
  const warned = new Set<string>()
  const sessions = new Map<string, FileSession<RunnerTestCase>>()
  // The session of each test, which a late mistake fails while its file runs.
  const sessionOfTest = new WeakMap<Scope, FileSession<RunnerTestCase>>()
  function sessionOf(task: RunnerTask): FileSession<RunnerTestCase> {
    const file = fileOf(task)
    let session = sessions.get(file)
    if (!session) sessions.set(file, (session = fileSession(engine, file, { print, warned, failEnded, runner: 'vitest', testPattern })))
    return session
  }
  // The test's name as -t matches it (see testNameSeparator); the file's name is empty, and left out.
  function testPattern(test: RunnerTestCase): string {
    const names: string[] = []
    for (let task: RunnerTask | undefined = test; task; task = task.suite) if (task.name) names.unshift(task.name)
    return `^${escapeRegExp(names.join(testNameSeparator))}$`
  }
  function failEnded(test: RunnerTestCase, errors: Error[], records: RunRecord[]): boolean {
    if (!test.result || !test.file) return false
    recordsOf(test).push(...records)
    fail(test.result, errors)
    // Its suites' and file's results may be computed already; all were sent: send them again, as
    // @vitest/runner's updateTask does.
    const above = new Set<RunnerTask>([test.file])
    for (let suite = test.suite; suite; suite = suite.suite) above.add(suite)
    for (const task of above) if (task.result) task.result.state = 'fail'
    void runner?.onTaskUpdate?.([test, ...above].map((task) => [task.id, task.result, task.meta]), [])
    return true
  }
  engine.onLate((mistake) => sessionOfTest.get(testScope(mistake.owner))?.late(mistake) ?? false)
  // Records go on the task judged; what did not fail a test is noted on it too, where reporters show
  // it: not a note on its failure (interference), which is one of its errors.
  const keepOn =
    (task: RunnerTask, session: FileSession<RunnerTestCase>): Keep =>
    (record, scope) => {
      recordsOf(task).push(record)
      const test = session.testOf(scope)
      if (record.outcome !== 'failed' && record.outcome !== 'noted' && test) annotate(runner, test, record)
    }
  // Worker fixtures are no file's: nothing of theirs is recorded or in a baseline.
  const alone: Reporting = { disposed: engine.settings.dispose, print, warned, failOn: engine.settings.failOn }
  return {
    useRunner: (current) => void (runner = current),
    own(scope, test) {
      const session = sessionOf(test)
      session.own(scope, test)
      sessionOfTest.set(scope, session)
    },
    async judge(scope, task, verdict) {
      if (!task) return scopeErrors(scope, await engine.close(scope), alone)
      const session = sessionOf(task)
      return session.judge(scope, keepOn(task, session), verdict)
    },
    recordCount: (task) => (task.meta as Meta).asyncDebug?.records.length ?? 0,
    resend(task) {
      if (task.result) void runner?.onTaskUpdate?.([[task.id, task.result, task.meta]], [])
    },
    fileEnded(file) {
      recordsOf(file).push(...sessionOf(file).end())
      sessions.delete(fileOf(file))
    },
  }
}
