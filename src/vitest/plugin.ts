import { type AsyncDebugOptions, asConfigError, checkingConfig, pickOptions, resolveOptions } from '../core/options.js'
import { type PoolConfig, vitest3Refusal } from './runtime.js'
import { splitEnvironmentOption } from './inner-environment.js'
import { PROVIDED_KEY, encodeOptions } from './provided-options.js'

/** Set in the main process, inherited by workers: tells the environment that the plugin's setup file is in place. */
export const PLUGIN_FLAG = 'ASYNC_DEBUG_VITEST_PLUGIN'

const setupFile = 'async-debug/vitest/setup'

/** The options of {@link asyncDebug}: async-debug's own, and the Vitest environment it wraps. */
export interface AsyncDebugPluginOptions extends AsyncDebugOptions {
  /**
   * The Vitest environment to run the tests in, with the checks around it: `'node'`, `'jsdom'`,
   * `'happy-dom'`, `'edge-runtime'`, a package or a path, as `test.environment` takes. Default: the
   * config's own `test.environment`, else `'node'`.
   */
  environment?: string
}

interface UserConfig {
  test?: { environment?: string; asyncDebug?: unknown }
}

interface PluginConfig {
  test: {
    environment: 'async-debug'
    environmentOptions: { asyncDebug: AsyncDebugPluginOptions }
    setupFiles: string[]
    provide: Record<string, string>
  }
}

/** The part of a Vite plugin that {@link asyncDebug} returns. */
export interface AsyncDebugPlugin {
  name: 'async-debug'
  config(config?: UserConfig): PluginConfig
  configureVitest(context: { vitest: { version: string }; project: { config: PoolConfig & { environmentOptions?: unknown } } }): void
}

/**
 * A Vitest plugin that turns on the async-debug environment, with typed options. It wraps the
 * environment that the config names (`environment: 'jsdom'` keeps jsdom, with the checks), and
 * keeps the checks in a file whose docblock picks another one (`// @vitest-environment happy-dom`).
 * Unlike `environment: 'async-debug'` alone, it also works in the `vmThreads` and `vmForks` pools,
 * because it patches the runner from a setup file, inside the tests' own copy of Vitest.
 *
 * @example
 * ```ts
 * // vitest.config.ts
 * import { defineConfig } from 'vitest/config'
 * import { asyncDebug } from 'async-debug/vitest'
 *
 * export default defineConfig({
 *   plugins: [asyncDebug({ ignore: { types: ['file-handle'] } })],
 *   test: { environment: 'jsdom' },
 * })
 * ```
 */
export function asyncDebug(options: AsyncDebugPluginOptions = {}): AsyncDebugPlugin {
  // Bad options fail here, in the main process, before any worker starts.
  checkingConfig(() => resolveOptions(splitEnvironmentOption(options, 'asyncDebug()').own, 'asyncDebug()'))
  return {
    name: 'async-debug',
    config(config) {
      process.env[PLUGIN_FLAG] = '1'
      // Vitest takes any key under `test` without a word, and passes this one nowhere.
      if (config?.test?.asyncDebug !== undefined)
        throw asConfigError(new TypeError('async-debug: `test.asyncDebug` is not read: give the options to the plugin, `asyncDebug({ … })`, or as `test.environmentOptions.asyncDebug`'))
      const configured = config?.test?.environment
      const chosen = configured === 'async-debug' ? undefined : configured
      if (chosen !== undefined && options.environment !== undefined && options.environment !== chosen)
        throw asConfigError(
          new TypeError(`async-debug: the config sets \`test.environment: '${chosen}'\` and the plugin \`asyncDebug({ environment: '${options.environment}' })\`: name the environment to run the tests in once, in either place`),
        )
      const asyncDebug = chosen === undefined ? options : { ...options, environment: chosen }
      return { test: { environment: 'async-debug', environmentOptions: { asyncDebug }, setupFiles: [setupFile], provide: { [PROVIDED_KEY]: encodeOptions(asyncDebug) } } }
    },
    // Called with the resolved config, command line included, before any worker starts.
    configureVitest({ vitest, project }) {
      const refused = vitest.version.startsWith('3.') ? vitest3Refusal(project.config) : undefined
      if (refused) throw new Error(refused)
      // The plugin's options merged with the config's `environmentOptions.asyncDebug`: what every worker will read.
      checkingConfig(() => {
        const { options: merged, where } = pickOptions(project.config.environmentOptions, { key: 'environmentOptions', json: false })
        resolveOptions(splitEnvironmentOption(merged, where).own, where)
      })
    },
  }
}
