import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'

// `npm run demo` without its build step: both example projects, each deliberate leak caught.
test('the demo catches every deliberate leak of both examples and fails nothing else', () => {
  const run = spawnSync(process.execPath, ['scripts/demo.mjs'], { encoding: 'utf8', timeout: 180_000 })
  assert.equal(run.status, 0, `${run.stdout}${run.stderr}`)
  for (const example of ['examples/vitest', 'examples/jest']) assert.ok(run.stdout.includes(example), example)
  assert.equal(run.stdout.match(/: caught$/gm)?.length, 6, run.stdout)
})
