import { engineOf } from '../core/bridge.js'
import { installRunnerHooks } from './runner-hooks.js'
import { loadVitest } from './runtime.js'

// Added to `setupFiles` by the plugin, so that it is loaded by the same copy of Vitest as the
// tests, even in the vm pools. There the runner already exists: it reads its prototype per call.
const engine = engineOf(globalThis)
if (!engine)
  throw new Error(
    "async-debug: the asyncDebug() plugin needs the test environment 'async-debug', which it sets; another plugin or the config replaced it with a different `environment`",
  )
installRunnerHooks(await loadVitest(), engine)
