import { cpSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')

/**
 * Copies the package and its name shims into `work`'s node_modules, as `npm install` puts them
 * for a user. Through the workspace's symlinks they would resolve outside any node_modules, and
 * Vitest would transform and run them as source, which no user's install does.
 */
export function installAsUser(work) {
  const modules = join(work, 'node_modules')
  cpSync(join(repo, 'dist'), join(modules, 'async-debug', 'dist'), { recursive: true })
  cpSync(join(repo, 'package.json'), join(modules, 'async-debug', 'package.json'))
  for (const shim of ['vitest-environment-async-debug', 'jest-environment-async-debug']) cpSync(join(repo, 'packages', shim), join(modules, shim), { recursive: true })
}
