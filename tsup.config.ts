import { rmSync } from 'node:fs'
import { defineConfig, type Options } from 'tsup'

const common: Options = {
  // One file per entry, as the CommonJS build has: each shared chunk is one more module for a worker to resolve and load.
  splitting: false,
  dts: true,
  target: 'node20',
  platform: 'node',
  // Runners are peers: resolve the user's copy at run time.
  external: ['vitest', 'jest-environment-node', 'jest-environment-jsdom'],
  // Builtins stay `node:` ones: a Vite transforming the setup file for the browser (Vitest 3.2's web mode) takes a bare 'timers' for a file.
  removeNodeProtocol: false,
  // import.meta.url in the CommonJS build: the Jest entries resolve their peers from their own file.
  shims: true,
}

// Cleaned once here: tsup cleans per config, in parallel, and each would delete the other's output.
rmSync('dist', { recursive: true, force: true })

export default defineConfig([
  {
    ...common,
    entry: { index: 'src/index.ts', 'compile-cache': 'src/compile-cache.ts', vitest: 'src/vitest/index.ts', jest: 'src/jest/index.ts', 'jest-jsdom': 'src/jest/jsdom.ts', 'vitest-reporter': 'src/vitest/summary-reporter.ts', 'jest-reporter': 'src/jest/summary-reporter.ts' },
    format: ['esm', 'cjs'],
  },
  // Vitest imports its setup files as ES modules; this one awaits Vitest's modules before the tests load, which CommonJS cannot.
  { ...common, entry: { 'vitest-setup': 'src/vitest/setup-file.ts' }, format: ['esm'] },
  // The command line, run by Node as an ES module (the package's type).
  { ...common, entry: { cli: 'src/cli.ts' }, format: ['esm'], dts: false },
])
