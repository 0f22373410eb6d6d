import type { Environment } from 'vitest/runtime'
import { installEngine, uninstallEngine } from '../core/bridge.js'
import { Engine, type EngineHooks } from '../core/engine.js'
import { optionsIn } from '../core/options.js'
import { stuckReport } from '../report/pending-tasks.js'
import { slowCallbackReport } from '../report/slow-callback.js'
import { PLUGIN_FLAG } from './plugin.js'
import { installRunnerHooks } from './runner-hooks.js'
import { loadBuiltinEnvironments, loadVitest, vitest3Fields, vitest3HangMessage } from './runtime.js'

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

/** Straight to stderr: the run that follows never reports an error. The plugin throws it before the run instead. */
function warnOfVitest3Hang(): void {
  // The worker's resolved config; Vitest 3.2 has no public way to it.
  const config = (globalThis as { __vitest_worker__?: { config?: object } }).__vitest_worker__?.config
  const hang = config && vitest3HangMessage(config)
  if (hang) process.stderr.write(`${hang}\n`)
}

/**
 * The Vitest environment `async-debug`: Node's globals, plus per-test leak checks.
 * Vitest runs `setup` once per worker, before its test runner exists (4 and 5) or just after (3.2):
 * the checks are installed on the runner's class, whose methods it looks up at each call.
 * In the vm pools the runner is another copy of Vitest, which the plugin's setup file hooks.
 */
export const environment: Environment = {
  name: 'async-debug',
  viteEnvironment: 'ssr',
  ...vitest3Fields,
  async setup(global, options) {
    const engine = new Engine(optionsIn(options, place), hooks).enable()
    const vitest = await loadVitest()
    if (vitest.major === 3) warnOfVitest3Hang()
    installEngine(global, engine)
    const restore = installRunnerHooks(vitest, engine)
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
    if ((await loadVitest()).major === 3) warnOfVitest3Hang()
    if (process.env[PLUGIN_FLAG] !== '1') throw new Error(vmPoolsNeedPlugin)
    const engine = new Engine(optionsIn(options, place), hooks).enable()
    const builtinEnvironments = await loadBuiltinEnvironments()
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
