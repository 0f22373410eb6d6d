import module from 'node:module'

/**
 * Loaded by the environments' name packages before they load async-debug: where Node keeps compiled
 * code (22.8 and later), each worker after the first reads the bundle's instead of compiling it
 * again (Vitest starts one per test file), and so the modules Node loads after it. Not while V8
 * writes coverage to NODE_V8_COVERAGE (c8, `node --test`'s coverage): Node covers code read from
 * its cache less precisely. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
 */
if (process.env.NODE_V8_COVERAGE === undefined) (module as { enableCompileCache?: () => unknown }).enableCompileCache?.()
