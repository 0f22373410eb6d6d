import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'

// What users install: exports resolve, with types, from ESM and CommonJS (publint, arethetypeswrong).
test('the packed package is clean under publint --strict and attw', () => {
  const run = spawnSync('npm', ['run', 'lint:package'], { encoding: 'utf8', timeout: 120_000 })
  assert.equal(run.status, 0, `${run.stdout}${run.stderr}`)
  assert.doesNotMatch(run.stdout, /Suggestions:|Warnings:|Errors:/)
})

test('each package ships its license', () => {
  for (const dir of ['.', 'packages/vitest-environment-async-debug', 'packages/jest-environment-async-debug']) {
    const run = spawnSync('npm', ['pack', '--dry-run', '--json'], { cwd: dir, encoding: 'utf8', timeout: 120_000 })
    assert.equal(run.status, 0, run.stderr)
    const [packed] = JSON.parse(run.stdout)
    assert.ok(packed.files.some((file) => file.path === 'LICENSE'), `${dir}: ${packed.files.map((file) => file.path).join(', ')}`)
  }
})
