// Types `environmentOptions.asyncDebug` in a vitest.config.ts that imports `async-debug/vitest`, so
// a wrong option is a compile error there. Vitest re-exports EnvironmentOptions from a chunk; the
// augmentation merges into it only once the re-export is resolved, hence the import.
import type { EnvironmentOptions as VitestEnvironmentOptions } from 'vitest/node'
import type { AsyncDebugPluginOptions } from './plugin.js'

declare module 'vitest/node' {
  interface EnvironmentOptions {
    /** async-debug's options, and the environment it wraps: see `asyncDebug()`. */
    asyncDebug?: AsyncDebugPluginOptions
    /** The same as `asyncDebug`, keyed by the environment's name. */
    'async-debug'?: AsyncDebugPluginOptions
  }
}

/** Vitest's `environmentOptions`, with async-debug's typed. */
export type EnvironmentOptions = VitestEnvironmentOptions
