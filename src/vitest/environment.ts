import type { Environment } from 'vitest/runtime'
import { installEngine, uninstallEngine } from '../core/bridge.js'
import { Engine, type EngineAdapter } from '../core/engine.js'
import { type Settings, pickOptions, resolveOptions } from '../core/options.js'
import { stuckReport } from '../report/pending-tasks.js'
import { slowCallbackReport } from '../report/slow-callback.js'
import { adoptTransformMode, loadInnerEnvironment, splitEnvironmentOption } from './inner-environment.js'
import { PLUGIN_FLAG } from './plugin.js'
import { patchRunner } from './runner-patches.js'
import { loadVitest, vitest3Fields, vitest3HangMessage } from './runtime.js'

const place = { key: 'environmentOptions', json: false }
export const adapter: EngineAdapter = {
  // Through the console of the moment, which Vitest sets up to show output next to the running test.
  onSlowCallback: (slow) => console.warn(slowCallbackReport(slow)),
  // Straight to stderr: a stuck run may never flush what its console buffers.
  onStuck: (idleMs, waiting) => process.stderr.write(stuckReport(idleMs, waiting)),
}

const vmPoolsNeedPlugin = `async-debug: the vmThreads and vmForks pools load each test file with its own copy of Vitest, which \`environment: 'async-debug'\` alone cannot reach, so it would check nothing. Use the Vitest plugin instead, which works on every pool:

  // vitest.config.ts
  import { asyncDebug } from 'async-debug/vitest'
  export default defineConfig({ plugins: [asyncDebug()] })

or run with \`pool: 'forks'\` or \`pool: 'threads'\`.`

/** The environment to wrap, and async-debug's own settings, from the options Vitest gives. */
export function wrappedAndSettings(environmentOptions: unknown): { inner: string; settings: Settings } {
  try {
    const { options, where } = pickOptions(environmentOptions, place)
    const { inner, own } = splitEnvironmentOption(options, where)
    return { inner, settings: resolveOptions(own, where) }
  } catch (error) {
    throw asOptionsError(error)
  }
}

/**
 * Every worker meets a bad option, and Vitest prints each one's error inside its own "Failed to start
 * … worker" with frames: the error is its message alone (its frames are ours and Vitest's), and
 * says how to have it checked once.
 */
function asOptionsError(error: unknown): unknown {
  if (!(error instanceof TypeError) || !error.message.startsWith('async-debug:')) return error
  error.message += ' (the Vitest plugin, asyncDebug(), checks the options once, before any worker starts)'
  error.stack = `${error.name}: ${error.message}`
  return error
}

/** Straight to stderr: the run that follows never reports an error. The plugin throws it before the run instead. */
function warnOfVitest3Hang(): void {
  // The worker's resolved config; Vitest 3.2 has no public way to it.
  const config = (globalThis as { __vitest_worker__?: { config?: object } }).__vitest_worker__?.config
  const hang = config && vitest3HangMessage(config)
  if (hang) process.stderr.write(`${hang}\n`)
}

/**
 * The Vitest environment `async-debug`: per-test leak checks around another environment, Node's
 * by default, or the one named by `environmentOptions.asyncDebug.environment` (see inner-environment.ts).
 * Vitest runs `setup` once per worker, before its test runner exists (4 and 5) or just after (3.2):
 * the checks are installed on the runner's class, whose methods it looks up at each call.
 * In the vm pools the runner is another copy of Vitest, which the plugin's setup file patches.
 */
export const environment: Environment = {
  name: 'async-debug',
  viteEnvironment: 'ssr',
  ...vitest3Fields,
  async setup(global, options) {
    const vitest = await loadVitest()
    if (vitest.major === 3) warnOfVitest3Hang()
    const { inner, settings } = wrappedAndSettings(options)
    const base = await loadInnerEnvironment(inner)
    adoptTransformMode(environment, base)
    const wrapped = await base.setup(global, options)
    // After the wrapped environment, whose own timers and sockets are then no test's.
    const engine = new Engine(settings, adapter).enable()
    installEngine(global, engine)
    const restore = patchRunner(vitest, engine)
    return {
      async teardown(global) {
        // Worker fixtures are torn down just before; Vitest drops an error thrown here, so it is printed.
        for (const error of await restore()) process.stderr.write(`async-debug: ${error.stack}\n`)
        engine.disable()
        uninstallEngine(global)
        await wrapped.teardown(global)
      },
    }
  },
  async setupVM(options) {
    if ((await loadVitest()).major === 3) warnOfVitest3Hang()
    if (process.env[PLUGIN_FLAG] !== '1') throw new Error(vmPoolsNeedPlugin)
    const { inner, settings } = wrappedAndSettings(options)
    const base = await loadInnerEnvironment(inner)
    if (!base.setupVM) throw new Error(`async-debug: the environment '${inner}' has no setupVM(), which the vmThreads and vmForks pools need; run it with \`pool: 'forks'\` or \`pool: 'threads'\``)
    adoptTransformMode(environment, base)
    const vm = await base.setupVM(options)
    const engine = new Engine(settings, adapter).enable()
    installEngine(vm.getVmContext(), engine)
    return {
      getVmContext: () => vm.getVmContext(),
      async teardown() {
        engine.disable()
        await vm.teardown()
      },
    }
  },
}
