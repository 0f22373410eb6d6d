import { relative } from 'node:path'
import type { RunnerTask, RunnerTestCase, RunnerTestFile, RunnerTestSuite } from 'vitest'
import type { Engine } from '../core/engine.js'
import { cutOwnFrames } from '../core/frames.js'
import type { Scope } from '../core/scope.js'
import { watchFakeTimers } from './fake-timers.js'
import { installFixtureScopes } from './fixture-scopes.js'
import type { VitestRuntime } from './runtime.js'
import { type ResultsRunner, fail, taskResults } from './task-results.js'
import { withVitestMarks } from './vitest-marks.js'

type Hook = (...args: any[]) => unknown
type HookName = 'beforeAll' | 'afterAll' | 'aroundAll' | 'beforeEach' | 'afterEach' | 'aroundEach'
const hookNames: HookName[] = ['beforeAll', 'afterAll', 'aroundAll', 'beforeEach', 'afterEach', 'aroundEach']
// Where each kind of hook finds its test (through the test context) or its suite, in its arguments.
const taskOf: Record<HookName, (args: any[]) => unknown> = {
  beforeAll: (args) => args[0],
  afterAll: (args) => args[0],
  aroundAll: (args) => args[1],
  beforeEach: (args) => args[0]?.task,
  afterEach: (args) => args[0]?.task,
  aroundEach: (args) => args[1]?.task,
}

/** The runner methods patched, as Vitest 4.1 calls them (see @vitest/runner's runTest and runSuite). */
interface Patched {
  importFile(filepath: string, source: 'collect' | 'setup'): unknown
  runTask?(test: RunnerTestCase): unknown
  onBeforeRunSuite?(suite: RunnerTestSuite): unknown
  onAfterRunSuite?(suite: RunnerTestSuite): unknown
  onBeforeTryTask?(test: RunnerTestCase, info: unknown): unknown
  onTaskFinished?(test: RunnerTestCase): unknown
  onAfterRetryTask?(test: RunnerTestCase, info: unknown): unknown
}
type Runner = Patched & ResultsRunner

/** A describe block as @vitest/runner 4.1 collects it (SuiteCollector). */
interface Collector {
  type: 'collector'
  suite?: RunnerTestSuite
  tasks: unknown[]
  collect(...args: unknown[]): Promise<unknown>
}

const absent = Symbol('absent')
// Both the environment and the plugin's setup file patch the runner; only the first one counts.
const PATCHED = Symbol.for('async-debug.runnerPatched')

const isFile = (suite: RunnerTestSuite): suite is RunnerTestFile => 'filepath' in suite

function nameOf(task: RunnerTask): string {
  const names: string[] = []
  // While a file is collected, its top-level suites sit in a suite of no name.
  for (let t: RunnerTask | undefined = task; t && !('filepath' in t); t = t.suite) if (t.name) names.unshift(t.name)
  return names.join(' > ')
}

// @vitest/runner's makeTimeoutError.
const TIMED_OUT = /^(?:Test|Hook) timed out in \d+ms\./

const UNAWAITED = /^(Promise returned by `.*` was not awaited\.)/

function chargingUnawaitedAssertions(engine: Engine, scope: Scope, handler: Hook): Hook {
  return function (this: unknown, ...args) {
    const { warn } = console
    console.warn = (...parts: unknown[]) => {
      const [message] = parts
      const match = typeof message === 'string' ? UNAWAITED.exec(message) : null
      if (match) {
        const frames = (message as string).split('\n').filter((line) => /^\s+at /.test(line))
        engine.charge(scope, 'unawaited-assertion', Object.assign(new Error(match[1]), { stack: [match[1], ...frames].join('\n') }))
      }
      warn.apply(console, parts)
    }
    try {
      return handler.apply(this, args)
    } finally {
      console.warn = warn
    }
  }
}

/**
 * Makes Vitest's test runner run user code in async-debug scopes and fail what leaks.
 * Ownership is bound to the user's functions (module body, hooks, test body, file and worker
 * fixtures), never to the runner's own async chains, so concurrent tests and nested suites keep
 * their own resources. Returns a function that judges the worker's fixtures and restores the runner.
 * `fileEnded` is called once each file has been judged, in the worker, before Vitest says the file
 * is done.
 */
export function patchRunner(vitest: VitestRuntime, engine: Engine, fileEnded?: () => void): () => Promise<Error[]> {
  const { Runner, test: testApi, vi } = vitest
  const proto = Runner.prototype as unknown as Patched & { [PATCHED]?: true }
  if (proto[PATCHED]) return async () => []
  proto[PATCHED] = true
  const fixtures = installFixtureScopes(testApi, engine, vitest.fixturesThroughExtend)
  const unwatchFakeTimers = watchFakeTimers(vi, engine)
  const results = taskResults(engine)
  const { judge } = results
  const scopes = new Map<unknown, Scope>()
  const wrapped = new WeakSet<Hook>()
  const originals = new Map<keyof Patched, unknown>()

  const parentScope = (task: RunnerTask): Scope | undefined => scopes.get(task.suite ?? task.file)

  // Tests inside aroundEach hooks: their outermost aroundEach opened their scope, and judges it once it returns.
  const aroundEach = new WeakSet<RunnerTestCase>()

  function wrapHook(name: HookName, hook: Hook): Hook {
    if (wrapped.has(hook)) return hook
    if (name === 'aroundEach') return wrapAroundEach(hook)
    const each = name.endsWith('Each')
    const inScope: Hook = function (this: unknown, ...args) {
      if (name === 'aroundAll') args[0] = runnerCallback(args[0])
      const owner = scopes.get(taskOf[name](args))
      // Each run of a beforeEach/afterEach gets a part of its test's scope, so that reports name it.
      const scope = owner && each ? engine.open('hook', name, owner) : owner
      return scope ? engine.run(scope, () => hook.apply(this, args)) : cutOwnFrames(() => hook.apply(this, args))
    }
    wrapped.add(inScope)
    return withVitestMarks(inScope, hook)
  }

  // An aroundEach's setup runs before the test's first try and its teardown after the test's last
  // runner hook: the test's scope is opened here, and judged when the outermost one returns.
  function wrapAroundEach(hook: Hook): Hook {
    const inScope: Hook = async function (this: unknown, ...args) {
      const test = taskOf.aroundEach(args) as RunnerTestCase
      const outermost = !scopes.has(test)
      if (outermost) {
        scopes.set(test, openTest(test))
        aroundEach.add(test)
      }
      const owner = scopes.get(test)!
      args[0] = runnerCallback(args[0])
      try {
        return await engine.run(engine.open('hook', 'aroundEach', owner), () => hook.apply(this, args))
      } finally {
        if (outermost) {
          aroundEach.delete(test)
          scopes.delete(test)
          const errors = await judgeTest(test, owner)
          // After the runner's last hook of the try: its result is failed as onAfterRunSuite fails a suite's.
          if (errors.length > 0 && test.result) fail(test.result, errors)
        }
      }
    }
    wrapped.add(inScope)
    return withVitestMarks(inScope, hook)
  }

  // An around hook's runTest()/runSuite() is the runner's: what it makes on its own account is
  // nobody's, and the hooks and tests it runs get their own scopes.
  function runnerCallback(run: Hook): Hook {
    return (...args) => engine.outside(() => run(...args))
  }

  // Suites of `file` collected but never run, or skipped (Vitest calls onAfterRunSuite for neither): judged with it.
  function leftSuites(file: RunnerTestFile): Scope[] {
    const left: Scope[] = []
    for (const map of [collected, scopes] as Map<unknown, Scope>[])
      for (const [suite, scope] of map)
        if (suite !== file && (suite as RunnerTask).file === file && (suite as RunnerTask).type === 'suite') {
          map.delete(suite)
          left.push(scope)
        }
    return left
  }

  function openTest(test: RunnerTestCase): Scope {
    const scope = engine.open('test', nameOf(test), parentScope(test))
    // Vitest knows where a test was defined with its option `includeTaskLocation`.
    if (test.location) scope.site = { cause: undefined, stack: `Error\n    at ${test.file.filepath}:${test.location.line}:${test.location.column}` }
    results.own(scope, test)
    return scope
  }

  function judgeTest(test: RunnerTestCase, scope: Scope): Promise<Error[]> {
    const errors = test.result?.errors ?? []
    return judge(scope, test, { failed: errors.length > 0 || test.result?.state === 'fail', timedOut: errors.some((error) => TIMED_OUT.test(error.message)) })
  }

  function patch<K extends keyof Patched>(key: K, make: (original: Patched[K]) => NonNullable<Patched[K]>): void {
    originals.set(key, Object.hasOwn(proto, key) ? proto[key] : absent)
    Object.defineProperty(proto, key, { value: make(proto[key]), configurable: true, writable: true })
  }

  // Suites opened when their describe callback ran, as their file was collected.
  const collected = new Map<RunnerTestSuite, Scope>()
  const getCurrentSuite = vitest.getCurrentSuite as () => Collector | undefined

  // Vitest calls describe callbacks once the file is imported, each from its collector's collect():
  // each runs in its suite's scope (a describe.skip's too), and so do the collectors made inside it.
  function scopeCollector(task: unknown): void {
    const collector = task as Collector
    if (collector?.type !== 'collector' || !collector.suite || watched.has(collector)) return
    watched.add(collector)
    const { collect } = collector
    collector.collect = (...args) => {
      const suite = collector.suite!
      // Vitest 3.2 sets a suite's file once it is collected: collect() is given it.
      const file = suite.file ?? (args[0] as RunnerTestFile | undefined)
      const parent = (suite.suite && collected.get(suite.suite)) ?? scopes.get(file?.filepath)
      const scope = engine.open('suite', nameOf(suite), parent)
      collected.set(suite, scope)
      scopeCollectors(collector.tasks)
      return engine.run(scope, () => collect.apply(collector, args))
    }
  }
  function scopeCollectors(tasks: unknown[]): void {
    tasks.forEach(scopeCollector)
    if (watched.has(tasks)) return
    watched.add(tasks)
    const push = tasks.push
    tasks.push = (...items: unknown[]) => {
      items.forEach(scopeCollector)
      return push.apply(tasks, items)
    }
  }
  // Collectors wrapped, and lists of them watched for new ones.
  const watched = new WeakSet<object>()

  patch('importFile', (original) =>
    function (this: unknown, filepath, source) {
      if (source !== 'collect') return original.call(this, filepath, source)
      const scope = engine.open('file', relative(process.cwd(), filepath))
      scopes.set(filepath, scope)
      return engine.run(scope, async () => {
        const imported = await original.call(this, filepath, source)
        // The file's top-level describe calls are in its default collector, still the current one.
        const tasks = getCurrentSuite?.()?.tasks
        if (tasks) scopeCollectors(tasks)
        return imported
      })
    },
  )

  patch('onBeforeRunSuite', (original) =>
    function (this: Runner, suite) {
      results.useRunner(this)
      // A file that failed to import has no hooks.
      const hooks = vitest.getSuiteHooks(suite) as Record<HookName, Hook[]> | undefined
      for (const name of hookNames) hooks?.[name]?.forEach((hook, i, list) => (list[i] = wrapHook(name, hook)))
      let scope: Scope
      if (isFile(suite)) {
        // The file's scope was opened when its module was imported.
        scope = scopes.get(suite.filepath) ?? engine.open('file', suite.name)
        scopes.delete(suite.filepath)
      } else {
        scope = collected.get(suite) ?? engine.open('suite', nameOf(suite), parentScope(suite))
        collected.delete(suite)
      }
      scopes.set(suite, scope)
      const called = original?.call(this, suite)
      // Vitest runs no hook of a file whose tests are all skipped and calls no onAfterRunSuite for it,
      // but it ran the file and its describe callbacks: judged now, failed as the runner sets its result.
      if (!isFile(suite) || (suite.mode !== 'skip' && suite.mode !== 'todo')) return called
      return Promise.resolve(called).then(async () => {
        scopes.delete(suite)
        const errors = await judgeFile(suite, scope)
        results.fileEnded(suite)
        if (errors.length > 0) failWhenSet(suite, errors)
      })
    },
  )

  // Once @vitest/runner's runSuite sets the skipped `file`'s result, it fails with `errors`, whatever
  // state runSuite then gives it ("skip"), before the runner sends it. No later runner method sees
  // it on every version: Vitest 3.2 wraps onAfterRunFiles and onTaskUpdate on its runner instance.
  function failWhenSet(file: RunnerTestFile, errors: Error[]): void {
    let result: RunnerTestFile['result']
    Object.defineProperty(file, 'result', {
      configurable: true,
      enumerable: true,
      get: () => result,
      set(value: RunnerTestFile['result']) {
        result = value
        if (!value) return
        fail(value, errors)
        Object.defineProperty(value, 'state', { configurable: true, enumerable: true, get: () => 'fail', set() {} })
      },
    })
  }

  // A file's errors: those of its file fixtures, of its suites that did not run, and its own.
  async function judgeFile(file: RunnerTestFile, scope: Scope): Promise<Error[]> {
    return (await Promise.all([...fixtures.takeFile(scope), ...leftSuites(file), scope].map((s) => judge(s, file)))).flat()
  }

  patch('onBeforeTryTask', (original) =>
    function (this: unknown, test, info) {
      if (!aroundEach.has(test)) scopes.set(test, openTest(test))
      return original?.call(this, test, info)
    },
  )

  patch('runTask', (original) =>
    function (this: unknown, test) {
      const run = original ? () => original.call(this, test) : () => vitest.getTestFn(test)()
      const scope = scopes.get(test)
      return scope ? engine.run(scope, run) : cutOwnFrames(run)
    },
  )

  // Vitest warns of an unawaited `expect().resolves` from the test's onFinished handlers: make it count.
  // onTaskFinished is called whether the test passed or failed, before those handlers.
  patch('onTaskFinished', (original) =>
    function (this: unknown, test) {
      const scope = scopes.get(test)
      // `onFinished` is @vitest/runner's, not in its public types.
      const finishing = test as RunnerTestCase & { onFinished?: Hook[] }
      if (scope && finishing.onFinished) finishing.onFinished = finishing.onFinished.map((handler) => chargingUnawaitedAssertions(engine, scope, handler))
      // Vitest 3.2 has no onAfterRetryTask: the handlers run after afterEach hooks and fixture
      // teardown, in reverse order (sequence 'stack'), and a throw fails this attempt of the test.
      if (scope && !vitest.afterRetryHook) (finishing.onFinished ??= []).unshift(() => afterTry(test))
      return original?.call(this, test)
    },
  )

  // After afterEach hooks and fixture teardown; a throw here fails this attempt of the test.
  async function afterTry(test: RunnerTestCase): Promise<void> {
    const scope = scopes.get(test)
    if (!scope || aroundEach.has(test)) return
    scopes.delete(test)
    const errors = await judgeTest(test, scope)
    if (errors.length > 0) throw errors.length === 1 ? errors[0] : errors
  }
  patch('onAfterRetryTask', (original) =>
    async function (this: unknown, test, info) {
      await original?.call(this, test, info)
      await afterTry(test)
    },
  )

  // After afterAll hooks and the teardown of file fixtures; Vitest reports errors pushed on a
  // suite's result as that suite's failure.
  patch('onAfterRunSuite', (original) =>
    async function (this: unknown, suite) {
      await original?.call(this, suite)
      const scope = scopes.get(suite)
      if (!scope) return
      scopes.delete(suite)
      const recorded = results.recordCount(suite)
      const errors = isFile(suite) ? await judgeFile(suite, scope) : await judge(scope, suite)
      if (errors.length > 0 && suite.result) fail(suite.result, errors)
      // Its tests' results are final once Vitest has their file's.
      if (isFile(suite)) {
        results.fileEnded(suite)
        fileEnded?.()
      }
      // Vitest 3.2 has sent the suite's result, meta included, already (4 sends it after this hook): send it again.
      if (errors.length > 0 || results.recordCount(suite) > recorded) results.resend(suite)
    },
  )

  return async () => {
    // Vitest 3.2 tears worker fixtures down after the environment, when the worker ends: too late
    // to judge them, and judging them earlier would blame what their teardown still closes.
    const workerFixtures = fixtures.takeWorker()
    const errors = vitest.major === 3 ? [] : (await Promise.all(workerFixtures.map((s) => judge(s)))).flat()
    fixtures.restore()
    unwatchFakeTimers()
    delete proto[PATCHED]
    for (const [key, original] of originals) {
      if (original === absent) delete proto[key]
      else Object.defineProperty(proto, key, { value: original, configurable: true, writable: true })
    }
    return errors
  }
}
