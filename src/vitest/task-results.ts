import type { RunnerTask, RunnerTestCase, RunnerTestFile } from 'vitest'
import type { Engine } from '../core/engine.js'
import { type Finding, type Scope, testScope } from '../core/scope.js'
import { AsyncTaskError } from '../report/async-errors.js'
import { type FileBaseline, fileBaseline } from '../report/baseline.js'
import type { RunRecord } from '../report/run-records.js'
import { type Reporting, mistakeRecord, scopeErrors } from '../report/scope-errors.js'
import { type Annotating, annotate } from './annotations.js'

/** The runner, as far as results go: it sends a task's result again, and annotates tests. */
export type ResultsRunner = Annotating & { onTaskUpdate?(packs: [string, RunnerTask['result'], RunnerTask['meta']][], events: unknown[]): unknown }

/** How findings become Vitest task results; see {@link taskResults}. */
export interface TaskResults {
  /** The runner that results are sent through: the one whose methods Vitest calls. */
  useRunner(runner: ResultsRunner): void
  /** Notes that `scope` is `test`'s: what its code does later can still fail it, until its file ends. */
  own(scope: Scope, test: RunnerTestCase): void
  /** Judges `scope`; the errors to fail `task` with. What did not fail it is recorded on `task`. */
  judge(scope: Scope, task?: RunnerTask, waitingOn?: Finding[]): Promise<Error[]>
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
 * task's meta for the summary reporter and annotations, a file's baseline, and a test that its
 * code fails after it ended (see Engine.onLate).
 */
export function taskResults(engine: Engine): TaskResults {
  let runner: ResultsRunner | undefined
  // A test's scope outlives its result: what its code does later can still fail it, until its file ends.
  const testOf = new WeakMap<Scope, RunnerTestCase>()
  const finishedFiles = new WeakSet<RunnerTask>()
  // What was found travels with its task's result, to the summary reporter.
  type Meta = { asyncDebug?: { records: RunRecord[] } }
  const recordsOf = (task: RunnerTask): RunRecord[] => ((task.meta as Meta).asyncDebug ??= { records: [] }).records
  const fileOf = (task: RunnerTask): string => task.file?.name ?? task.name
  // Each file's baseline, as its findings take from it; see report/baseline.ts.
  const baselines = new Map<string, FileBaseline>()
  function baselineOf(task: RunnerTask): FileBaseline | undefined {
    const path = engine.settings.baseline
    if (path === undefined) return undefined
    const file = fileOf(task)
    let baseline = baselines.get(file)
    if (!baseline) baselines.set(file, (baseline = fileBaseline(path, file)))
    return baseline
  }
  const recordOn =
    (task: RunnerTask): NonNullable<Reporting['onRecord']> =>
    (scope, record) => {
      const entry = { file: fileOf(task), scope: scope.title, ...record }
      recordsOf(task).push(entry)
      // What did not fail a test is noted on it too, where reporters show it.
      const test = testOf.get(testScope(scope))
      if (record.outcome !== 'failed' && test) annotate(runner, test, entry)
    }
  function failEnded(scope: Scope, errors: Error[], records: Omit<RunRecord, 'file' | 'scope'>[] = []): boolean {
    const test = testOf.get(scope)
    if (!test?.result || !test.file || finishedFiles.has(test.file)) return false
    for (const record of records) recordOn(test)(scope, record)
    fail(test.result, errors)
    // Its suites' and file's results may be computed already; all were sent: send them again, as
    // @vitest/runner's updateTask does.
    const above = new Set<RunnerTask>([test.file])
    for (let suite = test.suite; suite; suite = suite.suite) above.add(suite)
    for (const task of above) if (task.result) task.result.state = 'fail'
    void runner?.onTaskUpdate?.([test, ...above].map((task) => [task.id, task.result, task.meta]), [])
    return true
  }
  engine.onLate((mistake) => {
    const error = new AsyncTaskError(mistake)
    return failEnded(testScope(mistake.owner), [error], [{ ...mistakeRecord(mistake, error), outcome: 'failed' }])
  })
  // Through the console of the moment, which Vitest shows next to the running test.
  const reporting: Reporting = { disposed: engine.settings.dispose, print: (message) => console.warn(message), warned: new Set(), failEnded, failOn: engine.settings.failOn }
  return {
    useRunner: (current) => void (runner = current),
    own: (scope, test) => void testOf.set(scope, test),
    judge: async (scope, task, waitingOn) =>
      scopeErrors(scope, await engine.close(scope), task ? { ...reporting, onRecord: recordOn(task), baseline: baselineOf(task) } : reporting, waitingOn),
    recordCount: (task) => (task.meta as Meta).asyncDebug?.records.length ?? 0,
    resend(task) {
      if (task.result) void runner?.onTaskUpdate?.([[task.id, task.result, task.meta]], [])
    },
    fileEnded(file) {
      recordsOf(file).push(...(baselineOf(file)?.left() ?? []))
      baselines.delete(fileOf(file))
      finishedFiles.add(file)
    },
  }
}
