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

test('each tarball of npm run pack ships its license', () => {
  const work = mkdtempSync(join(tmpdir(), 'async-debug-pack-'))
  try {
    const packed = pack(work)
    assert.deepEqual(packed.map((p) => p.name), ['async-debug', 'jest-environment-async-debug', 'vitest-environment-async-debug'])
    for (const { name, files } of packed) assert.ok(files.includes('LICENSE'), `${name}: ${files.join(', ')}`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
})
