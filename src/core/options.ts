import { inspect } from 'node:util'
import { defaultFailOn, type FailKind, failKinds } from './fail-on.js'
import { type BreakSite, BREAK_VARIABLE, breakSites } from './break-at.js'
import { type ResourceType, resourceTypeNames } from './resource-types.js'

/**
 * A substring of, or a pattern for, a creation stack. A string written as a RegExp literal,
 * `'/node_modules\\/pino/i'`, is that RegExp: the one form that Jest's workers receive intact.
 */
export type StackPattern = string | RegExp

/** Whether `text` matches `pattern`: a substring of it, or a RegExp that tests it. */
export const matches = (pattern: StackPattern, text: string): boolean => (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text))

/**
 * Options, given as `environmentOptions.asyncDebug` (Vitest) or
 * `testEnvironmentOptions.asyncDebug` (Jest).
 *
 * @example
 * ```ts
 * // vitest.config.ts
 * export default defineConfig({
 *   test: {
 *     environment: 'async-debug',
 *     environmentOptions: { asyncDebug: { ignore: { types: ['file-handle'], stacks: [/node_modules\/pino/] } } },
 *   },
 * })
 * ```
 */
export interface AsyncDebugOptions {
  /**
   * Resources never to report: by type, or by a substring or pattern of their creation stack;
   * and warnings a test provokes on purpose, by their code or a substring or pattern of their message.
   */
  ignore?: { types?: ResourceType[]; stacks?: StackPattern[]; warnings?: StackPattern[] }
  /** Count unref'd handles and timers too (AbortSignal.timeout, an agent's idle keep-alive sockets), but not Node's own bookkeeping (the HTTP server's timers, fetch's pool). Default `false`. */
  countUnref?: boolean
  /** After reporting a leak, clear, close, kill or terminate it so that it cannot affect later tests. Default `true`. */
  dispose?: boolean
  /**
   * How long, at most, to let resources that are closing finish before a scope is judged, in ms,
   * up to 10000. Only spent when something is still alive at the end of a scope. Default `50`.
   */
  settleMs?: number
  /**
   * What a process warning emitted by a test's code does, by warning name: `'error'` fails the
   * test, `'warn'` lets Node print it, `'ignore'` drops it. Default `'error'` (a named warning such as
   * MaxListenersExceededWarning or UnsupportedWarning tells of an async bug), except the generic
   * `Warning`, `DeprecationWarning` and `ExperimentalWarning`: `'warn'`. One warning, rather than a
   * whole name, is let pass with `ignore.warnings`.
   */
  warnings?: Record<string, WarningAction>
  /**
   * Record where every promise was created. A stack costs microseconds, so by default a test gets
   * 16 and then one for every 250 µs it runs: promise-heavy code has only some of its promises
   * recorded, and only recorded ones can be reported. Turn this on when one is missed.
   */
  tracePromises?: boolean
  /**
   * Report each callback that blocks the event loop longer than this many ms: a timer's or
   * immediate's at the line that made it, the synchronous part of a test, hook or fixture
   * function, and a promise continuation or I/O callback with its test (at its line with
   * `timeAllCallbacks`). Default `0`, off, unless `failOnSlowCallback`, `'slow-callbacks'` in
   * `failOn` or `timeAllCallbacks` asks for them: then `100`.
   */
  slowCallbackMs?: number
  /** Fail the scope whose callback was slow, instead of printing a report; the same as `'slow-callbacks'` in `failOn`. Default `false`. */
  failOnSlowCallback?: boolean
  /**
   * What fails a test: what is left out is reported next to the test and in the run's summary
   * instead, for adopting async-debug on a suite that leaks today. `[]` reports everything.
   * Default: all but `'slow-callbacks'`. Failures of the runner's own (Jest's uncaught errors,
   * Vitest's unhandled errors) are the runner's, and stay.
   *
   * @example
   * ```ts
   * failOn: ['rejections', 'assertions'] // leaks and promises reported only, for now
   * ```
   */
  failOn?: FailKind[]
  /**
   * Time every callback one by one for `slowCallbackMs`, so that a slow I/O callback or promise
   * continuation (code after an await) is reported at its line, not only with its test. Default
   * `false`: it runs a hook around every promise continuation, which costs promise-heavy suites more.
   */
  timeAllCallbacks?: boolean
  /**
   * When no test has finished for this many seconds, print on stderr what every worker has
   * pending, with creation stacks, and again each time as many seconds pass: for a CI job that
   * hangs. The environment variable `ASYNC_DEBUG_WATCHDOG=<seconds>` sets it too, and wins.
   * Default `0`: off.
   */
  watchdogSeconds?: number
  /**
   * Tests whose leaks do not fail them, for code you cannot fix: each by a substring of, or a
   * pattern for, its full name (`describe > test`), with the reason. What they leave alive is still
   * printed next to them as allowed, with the reason, and disposed of. Async mistakes (unhandled
   * rejections, warnings…) still fail them.
   *
   * @example
   * ```ts
   * allowTests: [{ name: 'vendor SDK > connects', reason: 'the SDK keeps its socket open; issue #123' }]
   * ```
   */
  allowTests?: { name: StackPattern; reason: string }[]
  /**
   * A JSON report of an earlier run (see the summary reporters' `outputFile`), from the folder the
   * runner runs in: what it lists fails no test, so that only new findings fail. With the
   * environment variable `ASYNC_DEBUG_BASELINE=update`, nothing fails and the summary reporter
   * writes the run's findings to this file.
   *
   * @example
   * ```ts
   * baseline: 'async-debug.baseline.json'
   * ```
   */
  baseline?: string
}

/** What a process warning does: fail the test, be printed, or be dropped. */
export type WarningAction = 'error' | 'warn' | 'ignore'

/** Options with every default applied. */
export interface Settings {
  readonly ignoreTypes: ReadonlySet<ResourceType>
  readonly ignoreStacks: readonly StackPattern[]
  /** Warnings that Node prints as it would without async-debug, whatever their name's action. */
  readonly ignoreWarnings: readonly StackPattern[]
  readonly countUnref: boolean
  readonly dispose: boolean
  readonly settleMs: number
  /** The action for each warning name; names not listed fail the test. */
  readonly warnings: ReadonlyMap<string, WarningAction>
  readonly tracePromises: boolean
  readonly slowCallbackMs: number
  /** The kinds of finding that fail their scope; the others are reported. */
  readonly failOn: ReadonlySet<FailKind>
  readonly timeAllCallbacks: boolean
  readonly watchdogSeconds: number
  readonly allowTests: readonly { readonly name: StackPattern; readonly reason: string }[]
  /** The baseline file, if any. */
  readonly baseline: string | undefined
  /** The creation lines to stop at in the debugger: the environment variable `ASYNC_DEBUG_BREAK`. */
  readonly breakAt: readonly BreakSite[]
}

const keys = ['ignore', 'countUnref', 'dispose', 'settleMs', 'warnings', 'tracePromises', 'slowCallbackMs', 'failOnSlowCallback', 'failOn', 'timeAllCallbacks', 'watchdogSeconds', 'allowTests', 'baseline'] as const
const warningActions: readonly WarningAction[] = ['error', 'warn', 'ignore']
const defaultWarnings: Record<string, WarningAction> = { Warning: 'warn', DeprecationWarning: 'warn', ExperimentalWarning: 'warn' }
const ignoreKeys = ['types', 'stacks', 'warnings'] as const

// Across realms (Jest's vm, structured clones) `instanceof RegExp` is not reliable.
export const isRegExp = (value: unknown): value is RegExp => Object.prototype.toString.call(value) === '[object RegExp]'

const show = (value: unknown): string => inspect(value, { depth: 2, breakLength: Infinity })

function fail(key: string, expected: string, got: unknown): never {
  throw new TypeError(`async-debug: option \`${key}\` must be ${expected}, got ${show(got)}`)
}

function boolean(value: unknown, key: string, fallback: boolean): boolean {
  if (value === undefined) return fallback
  return typeof value === 'boolean' ? value : fail(key, 'a boolean', value)
}

function amount(value: unknown, key: string, fallback: number, unit = 'ms', max = Infinity): number {
  if (value === undefined) return fallback
  const fits = typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= max
  return fits ? value : fail(key, max === Infinity ? `a number of ${unit} >= 0` : `a number of ${unit} from 0 to ${max}`, value)
}

function list<T>(value: unknown, key: string, check: (item: unknown, key: string) => T): T[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) fail(key, 'an array', value)
  return value.map((item, i) => check(item, `${key}[${i}]`))
}

// `/source/flags`: a RegExp written as a string.
const literal = /^\/(.+)\/([dgimsuyv]*)$/s

function pattern(value: unknown, key: string, json: boolean): StackPattern {
  if (typeof value === 'string') {
    const [, source, flags] = literal.exec(value) ?? []
    if (source === undefined) return value
    try {
      return new RegExp(source, flags)
    } catch (error) {
      return fail(key, `a valid RegExp literal (${(error as Error).message})`, value)
    }
  }
  // Jest sends its config to workers as JSON, where a RegExp arrives as {}: refused in band too, so
  // that the same config gives the same result whatever the number of workers. Vitest 3 empties one too.
  if (isRegExp(value) && !json) return value
  const emptied = typeof value === 'object' && value !== null && !isRegExp(value) && Object.keys(value).length === 0
  if (json) return fail(key, `a string, or a RegExp written as a string such as '/pino/i' (Jest's config reaches its workers as JSON, which empties a RegExp)`, value)
  return fail(key, emptied ? `a string or a RegExp; a RegExp that arrives empty, as here, was emptied on its way to the worker: write it as a string such as '/pino/i'` : 'a string or a RegExp', value)
}

// The summary reporters' options, which belong in the reporter's entry of `reporters`.
const reporterKeys = ['outputFile', 'trace', 'html']

function unknownKey(object: object, allowed: readonly string[], key: string, top = false): void {
  for (const name of Object.keys(object)) {
    if (allowed.includes(name)) continue
    if (top && reporterKeys.includes(name))
      throw new TypeError(`async-debug: option \`${key}${name}\` belongs to the summary reporter, not the environment: reporters: ['default', ['async-debug/vitest/reporter', { ${name}: '…' }]] (Jest: 'async-debug/jest/reporter')`)
    throw new TypeError(`async-debug: unknown option \`${key}${name}\`; known: ${allowed.join(', ')}`)
  }
}

const WATCHDOG_VARIABLE = 'ASYNC_DEBUG_WATCHDOG'

/**
 * Validates user options and applies defaults.
 * @param where how the user wrote the options' place, for error messages.
 * @param env where `ASYNC_DEBUG_WATCHDOG` and `ASYNC_DEBUG_BREAK` are read.
 * @param json whether the options reached this process as JSON (Jest's workers): RegExps must be strings.
 */
export function resolveOptions(options: unknown, where = 'asyncDebug', env: Record<string, string | undefined> = process.env, json = false): Settings {
  if (options === undefined || options === null) options = {}
  if (typeof options !== 'object' || Array.isArray(options)) fail(where, 'an object', options)
  const o = options as Record<string, unknown>
  unknownKey(o, keys, `${where}.`, true)
  const ignore = o.ignore ?? {}
  if (typeof ignore !== 'object' || Array.isArray(ignore)) fail(`${where}.ignore`, 'an object like { types, stacks, warnings }', ignore)
  const i = ignore as Record<string, unknown>
  unknownKey(i, ignoreKeys, `${where}.ignore.`)
  const types = list(i.types, `${where}.ignore.types`, (t, key) =>
    resourceTypeNames.includes(t as ResourceType) ? (t as ResourceType) : fail(key, `one of ${resourceTypeNames.join(', ')}`, t),
  )
  const stacks = list(i.stacks, `${where}.ignore.stacks`, (item, key) => pattern(item, key, json))
  const ignoredWarnings = list(i.warnings, `${where}.ignore.warnings`, (item, key) => pattern(item, key, json))
  const allowTests = list(o.allowTests, `${where}.allowTests`, (entry, key) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail(key, "an object like { name: 'suite > test', reason: 'why' }", entry)
    const e = entry as Record<string, unknown>
    unknownKey(e, ['name', 'reason'], `${key}.`)
    if (typeof e.reason !== 'string' || e.reason.trim() === '') fail(`${key}.reason`, 'a non-empty string saying why', e.reason)
    return { name: pattern(e.name, `${key}.name`, json), reason: e.reason }
  })
  // A wait at every scope that leaks: a larger one would look like a hang.
  const settleMs = amount(o.settleMs, `${where}.settleMs`, 50, 'ms', 10_000)
  let watchdogSeconds = amount(o.watchdogSeconds, `${where}.watchdogSeconds`, 0, 'seconds')
  const fromEnv = env[WATCHDOG_VARIABLE]
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    watchdogSeconds = Number(fromEnv)
    if (!Number.isFinite(watchdogSeconds) || watchdogSeconds < 0)
      throw new TypeError(`async-debug: environment variable ${WATCHDOG_VARIABLE} must be a number of seconds >= 0, got ${show(fromEnv)}`)
  }
  const failOn = new Set(o.failOn === undefined ? defaultFailOn : list(o.failOn, `${where}.failOn`, (kind, key) => (failKinds.includes(kind as FailKind) ? (kind as FailKind) : fail(key, `one of ${failKinds.join(', ')}`, kind))))
  if (boolean(o.failOnSlowCallback, `${where}.failOnSlowCallback`, false)) failOn.add('slow-callbacks')
  const timeAllCallbacks = boolean(o.timeAllCallbacks, `${where}.timeAllCallbacks`, false)
  // Off unless asked for, as asyncio keeps them to its debug mode: on a shared machine the CPU time
  // a thread is given is not only its code's (its first calls compile, the garbage collector runs on
  // it), so reports by default would come and go with the load.
  const slowCallbackMs = amount(o.slowCallbackMs, `${where}.slowCallbackMs`, failOn.has('slow-callbacks') || timeAllCallbacks ? 100 : 0)
  const warnings = o.warnings ?? {}
  if (typeof warnings !== 'object' || Array.isArray(warnings)) fail(`${where}.warnings`, "an object like { MaxListenersExceededWarning: 'warn' }", warnings)
  for (const [name, action] of Object.entries(warnings as object))
    if (!warningActions.includes(action)) fail(`${where}.warnings.${name}`, `one of ${warningActions.join(', ')}`, action)
  return {
    warnings: new Map(Object.entries({ ...defaultWarnings, ...(warnings as Record<string, WarningAction>) })),
    ignoreTypes: new Set(types),
    ignoreStacks: stacks,
    ignoreWarnings: ignoredWarnings,
    countUnref: boolean(o.countUnref, `${where}.countUnref`, false),
    tracePromises: boolean(o.tracePromises, `${where}.tracePromises`, false),
    dispose: boolean(o.dispose, `${where}.dispose`, true),
    settleMs,
    slowCallbackMs,
    failOn,
    timeAllCallbacks,
    watchdogSeconds,
    allowTests,
    breakAt: breakSites(env[BREAK_VARIABLE]),
    baseline: o.baseline === undefined ? undefined : typeof o.baseline === 'string' && o.baseline.trim() !== '' ? o.baseline : fail(`${where}.baseline`, "a file path, such as 'async-debug.baseline.json'", o.baseline),
  }
}

/** Where a runner's config holds the environment's options. */
export interface OptionsPlace {
  /** The config key, e.g. `environmentOptions` (Vitest) or `testEnvironmentOptions` (Jest). */
  readonly key: string
  /** Whether the config reaches the workers as JSON (Jest's). */
  readonly json: boolean
}

/**
 * Finds async-debug's options in the environment options that a runner gives (`asyncDebug`, or
 * `'async-debug'` as Vitest keys options by environment name), with how the user wrote their place,
 * and fails on options of ours written one level too high, where they would be ignored.
 */
export function pickOptions(environmentOptions: unknown, place: OptionsPlace): { options: unknown; where: string } {
  const container = (typeof environmentOptions === 'object' && environmentOptions !== null ? environmentOptions : {}) as Record<string, unknown>
  const stray = keys.filter((key) => key in container)
  if (stray.length > 0)
    throw new TypeError(`async-debug: \`${place.key}.${stray[0]}\` is not read there: async-debug's options go under \`${place.key}.asyncDebug\`, as in ${place.key}: { asyncDebug: { ${stray[0]}: ${show(container[stray[0]!])} } }`)
  if (container.asyncDebug !== undefined && container['async-debug'] !== undefined)
    throw new TypeError(`async-debug: options are given twice, as \`${place.key}.asyncDebug\` and \`${place.key}['async-debug']\`: keep one`)
  const named = container.asyncDebug === undefined && container['async-debug'] !== undefined
  return named ? { options: container['async-debug'], where: `${place.key}['async-debug']` } : { options: container.asyncDebug, where: `${place.key}.asyncDebug` }
}

/**
 * `error` as the runner should print an error in the user's options: its message only, as no frame
 * of ours says anything about the config (the runners print the code around the first frame).
 */
export function asConfigError(error: unknown): unknown {
  if (error instanceof TypeError && error.message.startsWith('async-debug:')) error.stack = `${error.name}: ${error.message}`
  return error
}

/** What `check` returns; what it throws of the options' errors, as {@link asConfigError} makes them. */
export function checkingConfig<T>(check: () => T): T {
  try {
    return check()
  } catch (error) {
    throw asConfigError(error)
  }
}

/** async-debug's settings from the environment options that a runner gives; see {@link pickOptions}. */
export function optionsIn(environmentOptions: unknown, place: OptionsPlace, env: Record<string, string | undefined> = process.env): Settings {
  const { options, where } = pickOptions(environmentOptions, place)
  return resolveOptions(options, where, env, place.json)
}
