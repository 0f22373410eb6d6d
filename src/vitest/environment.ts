import type { Environment } from 'vitest/runtime'
import { installEngine, uninstallEngine } from '../core/bridge.js'
import { Engine, type EngineHooks } from '../core/engine.js'
import { optionsIn } from '../core/options.js'
import { stuckReport } from '../report/pending-tasks.js'
import { slowCallbackReport } from '../report/slow-callback.js'
import { PLUGIN_FLAG } from './plugin.js'
import { installRunnerHooks } from './runner-hooks.js'

const place = { key: 'environmentOptions', json: false }
const hooks: EngineHooks = {
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

/**
 * The Vitest environment `async-debug`: Node's globals, plus per-test leak checks.
 * Vitest (4 and 5) runs `setup` once per worker, before its test runner exists: the checks are
 * installed on the runner class that the worker is about to instantiate.
 * In the vm pools the runner is another copy of Vitest, which the plugin's setup file hooks.
 */
export const environment: Environment = {
  name: 'async-debug',
  viteEnvironment: 'ssr',
  async setup(global, options) {
    const engine = new Engine(optionsIn(options, place), hooks).enable()
    const { TestRunner, test, vi } = await import('vitest')
    installEngine(global, engine)
    const restore = installRunnerHooks({ TestRunner, test, vi }, engine)
    return {
      async teardown(global) {
        // Worker fixtures are torn down just before; Vitest drops an error thrown here, so it is printed.
        for (const error of await restore()) process.stderr.write(`async-debug: ${error.stack}\n`)
        engine.disable()
        uninstallEngine(global)
      },
    }
  },
  async setupVM(options) {
    if (process.env[PLUGIN_FLAG] !== '1') throw new Error(vmPoolsNeedPlugin)
    const engine = new Engine(optionsIn(options, place), hooks).enable()
    const { builtinEnvironments } = await import('vitest/runtime')
    const vm = await builtinEnvironments.node.setupVM!(options)
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
