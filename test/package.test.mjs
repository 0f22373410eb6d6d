import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
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
