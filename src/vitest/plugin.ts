import { type AsyncDebugOptions, resolveOptions } from '../core/options.js'

/** The part of a Vite plugin that {@link asyncDebug} returns. */
export interface AsyncDebugPlugin {
  name: 'async-debug'
  config(): { test: { environment: 'async-debug'; environmentOptions: { asyncDebug: AsyncDebugOptions } } }
}

/**
 * A Vitest plugin that turns on the async-debug environment, with typed options.
 * Equivalent to `test: { environment: 'async-debug', environmentOptions: { asyncDebug: options } }`.
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
    config: () => ({ test: { environment: 'async-debug', environmentOptions: { asyncDebug: options } } }),
  }
}
