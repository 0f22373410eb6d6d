import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { TestEnvironment } from 'jest-environment-node'

const own = createRequire(import.meta.url)
const jestConfigEntry = /[/\\]node_modules[/\\]jest-config[/\\]build[/\\]index\.js$/

/**
 * jest-environment-node's TestEnvironment, found as Jest finds the one of `testEnvironment: 'node'`:
 * the project's, or else the copy jest-config depends on. A package manager need not put Jest's copy
 * at the project's top level (npm moves it under jest-config when a peer range excludes it; pnpm never hoists it).
 */
export function nodeEnvironment(): typeof TestEnvironment {
  try {
    return own('jest-environment-node').TestEnvironment
  } catch (error) {
    if ((error as NodeJS.ErrnoException)?.code !== 'MODULE_NOT_FOUND') throw error
    const jestConfig = Object.keys(own.cache).find((path) => jestConfigEntry.test(path)) ?? resolveFrom(join(process.cwd(), 'package.json'), 'jest-config')
    const found = jestConfig === undefined ? undefined : resolveFrom(jestConfig, 'jest-environment-node')
    if (found === undefined)
      throw new Error("async-debug/jest: cannot find jest-environment-node, neither from the project nor from Jest's jest-config; install the version of your Jest: npm i -D jest-environment-node@<Jest's version>", { cause: error })
    return own(found).TestEnvironment
  }
}

// `from`: a file; resolving starts in its folder.
function resolveFrom(from: string, request: string): string | undefined {
  try {
    return createRequire(from).resolve(request)
  } catch {
    return undefined
  }
}
