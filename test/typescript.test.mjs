import assert from 'node:assert/strict'
import { test } from 'node:test'
import { failed, passed } from './helpers/expect-results.mjs'
import { runJest } from './helpers/run-jest.mjs'
import { runners } from './helpers/runners.mjs'
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
