// First: turns on Node's compile cache, where it has one, before the bundle is compiled (see there).
import 'async-debug/compile-cache'

export default (await import('async-debug/vitest')).default
