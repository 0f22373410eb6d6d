import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { failed, passed } from './helpers/expect-results.mjs'
import { runJest } from './helpers/run-jest.mjs'
import { repo, runnerHome } from './helpers/projects.mjs'
import { onlyFor, runners } from './helpers/runners.mjs'
import { runVitest } from './helpers/run-vitest.mjs'

// Source maps: the leak is located at the TypeScript line, by Vitest itself and by the maps of
// ts-jest and of babel-jest (Jest's default transform, here with a config as a project's babel.config.js would give).
const tsJest = ['ts-jest', { diagnostics: false, tsconfig: { module: 'commonjs', target: 'es2022', sourceMap: true } }]
const babelJest = ['babel-jest', { configFile: false, babelrc: false, presets: ['@babel/preset-typescript'], plugins: ['@babel/plugin-transform-modules-commonjs'] }]
const all = {
  vitest: () => runVitest('typescript'),
  jest: () => runJest('shared/typescript', { esm: false, config: { transform: { '^.+\\.ts$': tsJest } } }),
  'jest with babel-jest': () => runJest('shared/typescript', { esm: false, config: { transform: { '^.+\\.ts$': babelJest } } }),
}
// Only the selected runner's, when test/versions.mjs runs another version of one.
const runs = Object.fromEntries(Object.entries(all).filter(([name]) => runners.includes(name.split(' ')[0])).map(([name, run]) => [name, run()]))
const jestFrame = />\s+9 \|\s+const timer: NodeJS\.Timeout = setInterval/
const codeFrame = {
  vitest: /❯ startPoller leak\.test\.ts:9:33\n[\s\S]*9\|\s+const timer: NodeJS\.Timeout = setInterval/,
  jest: jestFrame,
  'jest with babel-jest': jestFrame,
}

for (const [runner, run] of Object.entries(runs)) {
  test(`${runner}: a leak in a TypeScript test points at its TypeScript line, with a code frame`, () => {
    failed(run, 'leaks a poller from TypeScript', /setInterval every 250 ms, created at \S*leak\.test\.ts:9:33/)
    assert.match(run.output, codeFrame[runner])
  })

  test(`${runner}: expectNoPendingTasks imported in TypeScript passes once the poller stopped`, () => {
    passed(run, 'stops its poller')
  })
}

// A vitest.config.ts that imports async-debug/vitest gets `environmentOptions.asyncDebug` typed.
test('vitest: environmentOptions.asyncDebug is typed in a vitest.config.ts that imports async-debug/vitest', onlyFor('vitest'), () => {
  const { root } = runnerHome('vitest')
  const dir = mkdtempSync(join(root, 'test-typed-config-'))
  try {
    const config = (options) =>
      `import { defineConfig } from 'vitest/config'\nimport type {} from 'async-debug/vitest'\n\nexport default defineConfig({ test: { environment: 'async-debug', environmentOptions: ${options} } })\n`
    writeFileSync(join(dir, 'right.ts'), config(`{ asyncDebug: { environment: 'node', settleMs: 50, ignore: { types: ['interval'], stacks: ['/pino/i'] } }, 'async-debug': { failOn: ['leaks'] } }`))
    writeFileSync(join(dir, 'wrong-value.ts'), config(`{ asyncDebug: { settleMs: 'soon' } }`))
    writeFileSync(join(dir, 'wrong-key.ts'), config(`{ 'async-debug': { settleMS: 50 } }`))
    const tsc = (file) => {
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [join(repo, 'node_modules', '@types')] }, files: [file] }))
      const run = spawnSync(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { encoding: 'utf8' })
      return { status: run.status, output: `${run.stdout}${run.stderr}` }
    }
    const right = tsc('right.ts')
    assert.equal(right.status, 0, right.output)
    const wrongValue = tsc('wrong-value.ts')
    assert.match(wrongValue.output, /wrong-value\.ts\(4,\d+\): error TS2769[\s\S]*Type 'string' is not assignable to type 'number'/)
    const wrongKey = tsc('wrong-key.ts')
    assert.match(wrongKey.output, /wrong-key\.ts\(4,\d+\): error TS2769[\s\S]*'settleMS' does not exist in type 'AsyncDebugPluginOptions'/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
