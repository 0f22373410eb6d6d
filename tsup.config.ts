import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts', vitest: 'src/vitest/index.ts', 'vitest-setup': 'src/vitest/setup-file.ts', jest: 'src/jest/index.ts', 'jest-jsdom': 'src/jest/jsdom.ts', 'vitest-reporter': 'src/vitest/summary-reporter.ts', 'jest-reporter': 'src/jest/summary-reporter.ts' },
  format: ['esm', 'cjs'],
  // One file per entry, as the CommonJS build has: each shared chunk is one more module for a worker to resolve and load.
  splitting: false,
  dts: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  // Runners are peers: resolve the user's copy at run time.
  external: ['vitest', 'jest-environment-node', 'jest-environment-jsdom'],
  // import.meta.url in the CommonJS build (src/jest/jsdom.ts resolves its optional peer from its own file).
  shims: true,
})
