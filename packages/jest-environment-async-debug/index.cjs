// Node 22.1 and later keep V8's compiled code of what they load from here on, async-debug's bundle
// among it, for the next worker (each of Jest's workers loads it): each would compile it again.
// NODE_DISABLE_COMPILE_CACHE=1 turns it off; Node 20 has no such cache.
require('node:module').enableCompileCache?.()
module.exports = require('async-debug/jest')
