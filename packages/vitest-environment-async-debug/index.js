// Node 22.1 and later keep V8's compiled code of what they load from here on, async-debug's bundle
// among it, for the next worker (Vitest starts one per test file): each would compile it again.
// NODE_DISABLE_COMPILE_CACHE=1 turns it off; Node 20 has no such cache.
import module from 'node:module'

module.enableCompileCache?.()
export default (await import('async-debug/vitest')).default
