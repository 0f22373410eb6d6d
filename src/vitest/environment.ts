import type { Environment } from 'vitest/environments'
import { installEngine, uninstallEngine } from '../core/bridge.js'
import { Engine } from '../core/engine.js'
import { resolveOptions } from '../core/options.js'
import { installRunnerHooks } from './runner-hooks.js'

/**
 * The Vitest environment `async-debug`: Node's globals, plus per-test leak checks.
 * Vitest 4 runs `setup` once per worker, before its test runner exists: the checks are
 * installed on the runner class that the worker is about to instantiate.
 */
export const environment: Environment = {
  name: 'async-debug',
  viteEnvironment: 'ssr',
  async setup(global, options) {
    const settings = resolveOptions(options.asyncDebug, 'environmentOptions.asyncDebug')
    const { TestRunner } = await import('vitest')
    const engine = new Engine(settings).enable()
    installEngine(global, engine)
    const restore = installRunnerHooks(TestRunner, engine)
    return {
      teardown(global) {
        restore()
        engine.disable()
        uninstallEngine(global)
      },
    }
  },
}
