import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import module from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { pack } from '../scripts/pack.mjs'

// What users install: exports resolve, with types, from ESM and CommonJS (publint, arethetypeswrong).
test('the packed package is clean under publint --strict and attw', () => {
  const run = spawnSync('npm', ['run', 'lint:package'], { encoding: 'utf8', timeout: 120_000 })
  assert.equal(run.status, 0, `${run.stdout}${run.stderr}`)
  assert.doesNotMatch(run.stdout, /Suggestions:|Warnings:|Errors:/)
})

test("each tarball of npm run pack ships its license, and async-debug's manifest nothing only the checkout uses", () => {
  const work = mkdtempSync(join(tmpdir(), 'async-debug-pack-'))
  try {
    const packed = pack(work)
    assert.deepEqual(packed.map((p) => p.name), ['async-debug', 'jest-environment-async-debug', 'vitest-environment-async-debug'])
    for (const { name, files } of packed) assert.ok(files.includes('LICENSE'), `${name}: ${files.join(', ')}`)
    const manifest = JSON.parse(spawnSync('tar', ['-xOzf', packed[0].tarball, 'package/package.json'], { encoding: 'utf8' }).stdout)
    for (const key of ['workspaces', 'scripts', 'devDependencies']) assert.equal(manifest[key], undefined, key)
    assert.equal(manifest.name, 'async-debug')
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
})

// Each test file's worker loads the bundle again: where Node keeps compiled code (22.8 and later), the
// shims turn that on before they load it, in every form a runner loads them, unless V8 coverage is
// being written or the user turned it off; Node 20 loads them as before.
test("the name shims turn on Node's compile cache where it has one before they load the bundle, but not under NODE_V8_COVERAGE or NODE_DISABLE_COMPILE_CACHE", { timeout: 240_000 }, () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'async-debug-compile-cache-'))
  const load = {
    'jest-environment-async-debug': "require('jest-environment-async-debug')",
    'jest-environment-async-debug/jsdom': "require('jest-environment-async-debug/jsdom')",
    'vitest-environment-async-debug (require)': "require('vitest-environment-async-debug')",
    'vitest-environment-async-debug (import)': "await import('vitest-environment-async-debug')",
  }
  const nodes = { [process.version]: [process.execPath], 'node@22': ['npx', '-y', '-p', 'node@22', 'node'] }
  const conditions = { on: {}, disabled: { NODE_DISABLE_COMPILE_CACHE: '1' }, coverage: { NODE_V8_COVERAGE: join(cacheDir, 'coverage') } }
  try {
    for (const [version, command] of Object.entries(nodes))
      for (const [shim, statement] of Object.entries(load))
        for (const [condition, variables] of Object.entries(conditions)) {
          const script = `(async () => { ${statement}; console.log(require('node:module').getCompileCacheDir?.() ?? 'none') })()`
          const env = { ...process.env, NODE_COMPILE_CACHE: '', NODE_DISABLE_COMPILE_CACHE: '', NODE_V8_COVERAGE: '', TMPDIR: cacheDir, ...variables }
          for (const name of ['NODE_COMPILE_CACHE', 'NODE_DISABLE_COMPILE_CACHE', 'NODE_V8_COVERAGE']) if (env[name] === '') delete env[name]
          const run = spawnSync(command[0], [...command.slice(1), '--input-type=commonjs', '-e', script], { encoding: 'utf8', env, timeout: 100_000 })
          const where = `${version}, ${shim}, ${condition}`
          assert.equal(run.status, 0, `${where}: ${run.stderr}`)
          const hasCache = version === 'node@22' || typeof module.enableCompileCache === 'function'
          if (condition !== 'on' || !hasCache) assert.equal(run.stdout.trim(), 'none', where)
          else assert.ok(run.stdout.trim().startsWith(join(cacheDir, 'node-compile-cache')), `${where}: ${run.stdout}`)
        }
  } finally {
    rmSync(cacheDir, { recursive: true, force: true })
  }
})
