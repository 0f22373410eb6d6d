import { createRequire } from 'node:module'
import { isAbsolute, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Environment } from 'vitest/runtime'
import { loadBuiltinEnvironments } from './runtime.js'

/**
 * The environment that async-debug wraps in Vitest: `node` by default, or the one named by
 * `environmentOptions.asyncDebug.environment` (the plugin fills it from the config's own
 * `environment`). It sets up the test files' globals (jsdom's window, happy-dom's…) and gets the
 * whole of `environmentOptions`, as Vitest would give them to it, so that `environmentOptions.jsdom`
 * still reaches jsdom.
 */

/** Vitest's builtin environments, by the names that `environment` takes. */
export const builtinNames = ['node', 'jsdom', 'happy-dom', 'edge-runtime'] as const

/**
 * Splits `environmentOptions.asyncDebug` into the name of the environment to wrap, if it gives
 * one, and the options of async-debug itself.
 * @param where how the user wrote the options' place, for error messages.
 */
export function splitEnvironmentOption(asyncDebug: unknown, where: string): { inner?: string; own: unknown } {
  if (asyncDebug === null || typeof asyncDebug !== 'object' || Array.isArray(asyncDebug) || !('environment' in asyncDebug)) return { own: asyncDebug }
  const { environment: inner, ...own } = asyncDebug as Record<string, unknown>
  if (inner === undefined) return { own }
  if (typeof inner !== 'string' || inner.trim() === '')
    throw new TypeError(`async-debug: option \`${where}.environment\` must be the name of a Vitest environment (${builtinNames.join(', ')}, a package or a path), got ${String(inner)}`)
  if (inner === 'async-debug') throw new TypeError(`async-debug: option \`${where}.environment\` names the environment to wrap: async-debug cannot wrap itself; give the one your tests need, such as 'jsdom'`)
  return { inner, own }
}

// As Vitest resolves `environment`: a path from the root, else the package `vitest-environment-<name>`, else `<name>`.
async function importCustom(name: string, root: string): Promise<unknown> {
  if (name.startsWith('.') || isAbsolute(name)) return import(pathToFileURL(resolve(root, name)).href)
  const require = createRequire(join(root, 'package.json'))
  for (const id of [`vitest-environment-${name}`, name]) {
    let path: string
    try {
      path = require.resolve(id)
    } catch {
      continue
    }
    return import(pathToFileURL(path).href)
  }
  throw new Error(
    `async-debug: cannot find the Vitest environment '${name}' to wrap (environmentOptions.asyncDebug.environment): it is not a builtin one (${builtinNames.join(', ')}), and neither vitest-environment-${name} nor ${name} resolves from ${root}`,
  )
}

// On an environment that withAsyncDebug() made: the environment it wraps.
export const BASE = Symbol.for('async-debug.baseEnvironment')

/**
 * The Vitest environment named `name`, loaded as Vitest loads it; `root`: where a package or a
 * relative path is resolved from (Vitest's workers run in the project's root). One that
 * withAsyncDebug() made gives the environment it wraps: async-debug's checks are added once.
 */
export async function loadInnerEnvironment(name: string, root = process.cwd()): Promise<Environment> {
  const builtin = (builtinNames as readonly string[]).includes(name)
  const loaded = builtin ? { default: ((await loadBuiltinEnvironments()) as Record<string, Environment>)[name] } : await importCustom(name, root)
  const environment = (loaded as { default?: Environment } | undefined)?.default
  if (!environment || typeof environment.setup !== 'function')
    throw new TypeError(`async-debug: the environment '${name}' to wrap is not a Vitest environment: expected its module to export by default an object with a setup() method`)
  return (environment as Environment & { [BASE]?: Environment })[BASE] ?? environment
}

/**
 * Makes `outer` transform the test files as `inner` wants (jsdom's for the browser): Vitest reads
 * it from the environment it loaded, after its setup. Vitest 4 reads `viteEnvironment` (or the
 * name), Vitest 3 `transformMode`.
 */
export function adoptTransformMode(outer: Environment, inner: Environment): void {
  outer.viteEnvironment = inner.viteEnvironment ?? (inner.transformMode === 'web' ? 'client' : inner.transformMode === 'ssr' ? 'ssr' : inner.name)
  if (inner.transformMode !== undefined) outer.transformMode = inner.transformMode
}
