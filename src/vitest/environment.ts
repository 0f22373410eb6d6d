import { inspect } from 'node:util'
import type { Environment } from 'vitest/runtime'
import { installEngine, uninstallEngine } from '../core/bridge.js'
import { Engine, type EngineAdapter } from '../core/engine.js'
import { type Settings, asConfigError, pickOptions, resolveOptions } from '../core/options.js'
import { stuckReport } from '../report/pending-tasks.js'
import { printSlowCallback } from '../report/slow-callback.js'
import { leaveTracePart, traceRecorder, writeTracePart } from '../report/trace-file.js'
import { BASE, adoptTransformMode, loadInnerEnvironment, splitEnvironmentOption } from './inner-environment.js'
import { PLUGIN_FLAG } from './plugin.js'
import { patchRunner } from './runner-patches.js'
import { type PoolConfig, loadVitest, vitest3Fields, vitest3Refusal } from './runtime.js'

const place = { key: 'environmentOptions', json: false }
export const adapter: EngineAdapter = {
  onSlowCallback: printSlowCallback,
  // Straight to stderr: a stuck run may never flush what its console buffers.
  onStuck: (idleMs, waiting) => process.stderr.write(stuckReport(idleMs, waiting)),
}

const vmPoolsNeedPlugin = `async-debug: the vmThreads and vmForks pools load each test file with its own copy of Vitest, which \`environment: 'async-debug'\` alone cannot reach, so it would check nothing. Use the Vitest plugin instead, which works on every pool:

  // vitest.config.ts
  import { asyncDebug } from 'async-debug/vitest'
  export default defineConfig({ plugins: [asyncDebug()] })

or run with \`pool: 'forks'\` or \`pool: 'threads'\`.`

/**
 * The environment to wrap, and async-debug's own settings, from the options Vitest gives: `fixed`,
 * the one withAsyncDebug() was given, else the one the options name.
 */
async function baseAndSettings(environmentOptions: unknown, fixed: Environment | undefined): Promise<{ base: Environment; inner: string; settings: Settings }> {
  let split: ReturnType<typeof splitEnvironmentOption>
  let settings: Settings
  let where: string
  try {
    const picked = pickOptions(environmentOptions, place)
    where = picked.where
    split = splitEnvironmentOption(picked.options, where)
    settings = resolveOptions(split.own, where)
  } catch (error) {
    throw asOptionsError(error)
  }
  if (fixed === undefined) {
    const inner = split.inner ?? 'node'
    return { base: await loadInnerEnvironment(inner), inner, settings }
  }
  if (split.inner !== undefined) {
    throw asConfigError(new TypeError(`async-debug: option \`${where}.environment\` names an environment to wrap, but this environment is withAsyncDebug() of '${fixed.name}' already; drop the option, or use \`environment: 'async-debug'\``))
  }
  return { base: fixed, inner: fixed.name, settings }
}

/**
 * Every worker meets a bad option, and Vitest prints each one's error inside its own "Failed to start
 * … worker" with frames: the error is its message alone (its frames are ours and Vitest's), and
 * says how to have it checked once.
 */
function asOptionsError(error: unknown): unknown {
  if (!(error instanceof TypeError) || !error.message.startsWith('async-debug:')) return error
  error.message += ' (the Vitest plugin, asyncDebug(), checks the options once, before any worker starts)'
  return asConfigError(error)
}

/** Straight to stderr, before the run waits forever: the plugin stops such a run before it starts instead. */
function warnOfVitest3Refusal(): void {
  // The worker's resolved config; Vitest 3.2 has no public way to it.
  const config = (globalThis as { __vitest_worker__?: { config?: PoolConfig } }).__vitest_worker__?.config
  const refusal = config && vitest3Refusal(config)
  if (refusal) process.stderr.write(`${refusal}\n`)
}

/**
 * An environment with per-test leak checks around `fixed`, or around the one its options name
 * (Node's by default; see inner-environment.ts).
 * Vitest runs `setup` once per worker, before its test runner exists (4 and 5) or just after (3.2):
 * the checks are installed on the runner's class, whose methods it looks up at each call.
 * In the vm pools the runner is another copy of Vitest, which the plugin's setup file patches.
 */
function asyncDebugEnvironment(fixed?: Environment): Environment {
  const environment: Environment & { [BASE]?: Environment } = {
    name: fixed?.name ?? 'async-debug',
    viteEnvironment: 'ssr',
    ...vitest3Fields,
    async setup(global, options) {
      const vitest = await loadVitest()
      if (vitest.major === 3) warnOfVitest3Refusal()
      const { base, settings } = await baseAndSettings(options, fixed)
      adoptTransformMode(environment, base)
      const wrapped = await base.setup(global, options)
      // After the wrapped environment, whose own timers and sockets are then no test's.
      // Observed only when the summary reporter asked for a trace.
      const trace = traceRecorder()
      const engine = new Engine(settings, trace ? { ...adapter, observer: trace } : adapter).enable(global)
      trace?.enable()
      installEngine(global, engine)
      // The run may end before this environment does (Vitest stops a worker after it reports): the
      // trace's part is left as each file ends too.
      const restore = patchRunner(vitest, engine, trace && (() => leaveTracePart(trace)))
      return {
        async teardown(global) {
          // Worker fixtures are torn down just before; Vitest drops an error thrown here, so it is printed.
          for (const error of await restore()) process.stderr.write(`async-debug: ${error.stack}\n`)
          writeTracePart(trace)
          engine.disable()
          uninstallEngine(global)
          await wrapped.teardown(global)
        },
      }
    },
    async setupVM(options) {
      if (process.env[PLUGIN_FLAG] !== '1') throw new Error(vmPoolsNeedPlugin)
      const { base, inner, settings } = await baseAndSettings(options, fixed)
      if (!base.setupVM) throw new Error(`async-debug: the environment '${inner}' has no setupVM(), which the vmThreads and vmForks pools need; run it with \`pool: 'forks'\` or \`pool: 'threads'\``)
      adoptTransformMode(environment, base)
      const vm = await base.setupVM(options)
      const trace = traceRecorder()
      const engine = new Engine(settings, trace ? { ...adapter, observer: trace } : adapter).enable(vm.getVmContext())
      trace?.enable()
      installEngine(vm.getVmContext(), engine)
      return {
        getVmContext: () => vm.getVmContext(),
        async teardown() {
          writeTracePart(trace)
          engine.disable()
          await vm.teardown()
        },
      }
    },
  }
  if (fixed) environment[BASE] = fixed
  return environment
}

/**
 * The Vitest environment `async-debug`: per-test leak checks around another environment, Node's
 * by default, or the one named by `environmentOptions.asyncDebug.environment`.
 */
export const environment: Environment = asyncDebugEnvironment()

/**
 * Adds async-debug's per-test checks to a Vitest environment of your own: timers, sockets,
 * servers, child processes, watchers, file handles, workers and promises that a test leaves
 * behind fail that test. Options are read from `environmentOptions.asyncDebug`. With the
 * `asyncDebug()` plugin (needed on the vm pools), the plugin's checks are the ones that run.
 *
 * @example
 * ```ts
 * // my-environment.ts, then `environment: './my-environment.ts'`
 * import { withAsyncDebug } from 'async-debug/vitest'
 * import base from './base-environment'
 * export default withAsyncDebug(base)
 * ```
 */
export function withAsyncDebug(base: Environment): Environment {
  if (base === null || typeof base !== 'object' || typeof base.setup !== 'function')
    throw new TypeError(`withAsyncDebug: expected a Vitest environment (an object with a setup() method), got ${inspect(base, { depth: 0 })}`)
  return asyncDebugEnvironment(base)
}
