import { inject } from 'vitest'
import { engineOf, installEngine } from '../core/bridge.js'
import { Engine } from '../core/engine.js'
import { resolveOptions } from '../core/options.js'
import { adapter } from './environment.js'
import { splitEnvironmentOption } from './inner-environment.js'
import { PROVIDED_KEY, decodeOptions } from './provided-options.js'
import { patchRunner } from './runner-patches.js'
import { loadVitest } from './runtime.js'

// Added to `setupFiles` by the plugin, so that it is loaded by the same copy of Vitest as the
// tests, even in the vm pools. There the runner already exists: it reads its prototype per call.
patchRunner(await loadVitest(), engineOf(globalThis) ?? docblockEngine())

/**
 * The checks for a file whose docblock picked another environment than async-debug's
 * (`// @vitest-environment jsdom`): that environment is set up, async-debug's is not, so the
 * engine starts here, with the plugin's options. It runs until the worker ends: Vitest gives a
 * worker the files of one environment only.
 */
function docblockEngine(): Engine {
  const provided = inject(PROVIDED_KEY as never) as string | undefined
  if (provided === undefined)
    throw new Error("async-debug: the setup file 'async-debug/vitest/setup' needs the asyncDebug() plugin (or `environment: 'async-debug'`) in the config")
  const where = 'asyncDebug()'
  const engine = new Engine(resolveOptions(splitEnvironmentOption(decodeOptions(provided), where).own, where), adapter).enable()
  installEngine(globalThis, engine)
  return engine
}
