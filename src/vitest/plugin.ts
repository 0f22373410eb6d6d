import { type AsyncDebugOptions, resolveOptions } from '../core/options.js'
import { vitest3HangMessage } from './runtime.js'

/** Set in the main process, inherited by workers: tells the environment that the plugin's setup file is in place. */
export const PLUGIN_FLAG = 'ASYNC_DEBUG_VITEST_PLUGIN'

const setupFile = 'async-debug/vitest/setup'

interface PluginConfig {
  test: { environment: 'async-debug'; environmentOptions: { asyncDebug: AsyncDebugOptions }; setupFiles: string[] }
}

/** The part of a Vite plugin that {@link asyncDebug} returns. */
export interface AsyncDebugPlugin {
  name: 'async-debug'
  config(): PluginConfig
  configureVitest(context: { vitest: { version: string }; project: { config: object } }): void
}

/**
 * A Vitest plugin that turns on the async-debug environment, with typed options. Unlike
 * `environment: 'async-debug'` alone, it also works in the `vmThreads` and `vmForks` pools,
 * because it hooks the runner from a setup file, inside the tests' own copy of Vitest.
 *
 * @example
 * ```ts
 * // vitest.config.ts
 * import { defineConfig } from 'vitest/config'
 * import { asyncDebug } from 'async-debug/vitest'
 *
 * export default defineConfig({ plugins: [asyncDebug({ ignore: { types: ['file-handle'] } })] })
 * ```
 */
export function asyncDebug(options: AsyncDebugOptions = {}): AsyncDebugPlugin {
  // Bad options fail here, in the main process, before any worker starts.
  resolveOptions(options, 'asyncDebug()')
  return {
    name: 'async-debug',
    config() {
      process.env[PLUGIN_FLAG] = '1'
      return { test: { environment: 'async-debug', environmentOptions: { asyncDebug: options }, setupFiles: [setupFile] } }
    },
    // Called with the resolved config, command line included, before any worker starts.
    configureVitest({ vitest, project }) {
      const hang = vitest.version.startsWith('3.') ? vitest3HangMessage(project.config) : undefined
      if (hang) throw new Error(hang)
    },
  }
}
