import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runVitest } from './helpers/run-vitest.mjs'

test('a leak in a TypeScript test points at its TypeScript line, with a code frame', () => {
  const run = runVitest('typescript')
  const { status, message } = run.tests.get('leaks a poller from TypeScript')
  assert.equal(status, 'failed')
  assert.match(message, /setInterval every 250 ms, created at \S*leak\.test\.ts:7:33/)
  assert.match(run.output, /❯ startPoller leak\.test\.ts:7:33\n[\s\S]*7\|\s+const timer: NodeJS\.Timeout = setInterval/)
})
