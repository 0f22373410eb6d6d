import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'

// What users install: exports resolve, with types, from ESM and CommonJS (publint, arethetypeswrong).
test('the packed package is clean under publint --strict and attw', () => {
  const run = spawnSync('npm', ['run', 'lint:package'], { encoding: 'utf8', timeout: 120_000 })
  assert.equal(run.status, 0, `${run.stdout}${run.stderr}`)
  assert.doesNotMatch(run.stdout, /Suggestions:|Warnings:|Errors:/)
})
