import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { repo } from './helpers/projects.mjs'

// A Jest 29 project that installs the packed packages with plain npm, as users do. With Jest 29
// outside the peer range of jest-environment-node, npm moved the project's copy from the top level
// under jest-config, and every test file failed with "Cannot find module 'jest-environment-node'".
const dir = mkdtempSync(join(tmpdir(), 'async-debug-jest29-'))
after(() => rmSync(dir, { recursive: true, force: true }))

function npm(args, cwd) {
  const run = spawnSync('npm', [...args, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', timeout: 180_000 })
  assert.equal(run.status, 0, `npm ${args.join(' ')} in ${cwd}:\n${run.stdout}${run.stderr}`)
  return run.stdout
}

function jest() {
  return spawnSync(process.execPath, [join('node_modules', 'jest', 'bin', 'jest.js'), '--ci'], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, FORCE_COLOR: '0' } })
}

const tarballs = [repo, ...readdirSync(join(repo, 'packages')).map((name) => join(repo, 'packages', name))].map((from) => join(dir, npm(['pack', '--pack-destination', dir], from).trim().split('\n').pop()))
writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ private: true, jest: { testEnvironment: 'async-debug' }, devDependencies: { jest: '29.7.0' } })}\n`)
mkdirSync(join(dir, 'test'))
writeFileSync(join(dir, 'test', 'leak.test.js'), "test('leaks an interval', () => { setInterval(() => {}, 1000) })\ntest('clean', () => {})\n")
npm(['install', '-D', ...tarballs], dir)

test('npm keeps a Jest 29 project’s jest-environment-node at the top level, and the environment runs', () => {
  assert.equal(JSON.parse(readFileSync(join(dir, 'node_modules', 'jest-environment-node', 'package.json'), 'utf8')).version, '29.7.0')
  const run = jest()
  assert.match(run.stderr, /✕ leaks an interval[\s\S]*✓ clean/)
  assert.match(run.stderr, /setInterval every 1000 ms, created at \S*leak\.test\.js:1/)
})

test('without jest-environment-node at the top level (pnpm, or npm with another peer), the one of jest-config is used', () => {
  const top = join(dir, 'node_modules', 'jest-environment-node')
  const underConfig = join(dir, 'node_modules', 'jest-config', 'node_modules', 'jest-environment-node')
  if (existsSync(underConfig)) rmSync(top, { recursive: true })
  else {
    mkdirSync(join(underConfig, '..'), { recursive: true })
    renameSync(top, underConfig)
  }
  const run = jest()
  assert.doesNotMatch(run.stderr, /Cannot find module/)
  assert.match(run.stderr, /✕ leaks an interval[\s\S]*✓ clean/)
})
