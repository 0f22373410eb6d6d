import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runVitest } from './helpers/run-vitest.mjs'

// The scopes fixture has a test leak, a hook leak, a suite leak and an import-time leak.
function assertCaught(run) {
  const status = (title) => run.tests.get(title)?.status
  assert.equal(status('concurrent leaker'), 'failed', run.output)
  assert.match(run.tests.get('concurrent leaker').message, /setInterval every 1000 ms, created at \S*concurrent\.test\.js:3:3/)
  assert.equal(status('only test under a leaky afterEach'), 'failed')
  for (const title of ['concurrent clean', 'first user of the server', 'runs beside a module-level interval', 'beforeEach timer cleared by afterEach'])
    assert.equal(status(title), 'passed', title)
  assert.match(run.output, /suite "database suite" left 1 async resource alive after its afterAll hooks/)
  assert.ok(run.fileErrors.some((m) => m.startsWith('file module-level.test.js left 1 async resource')), run.fileErrors.join('\n'))
  assert.equal(run.exitCode, 1)
}

for (const [name, config] of Object.entries({
  'forks pool': { pool: 'forks' },
  'threads pool': { pool: 'threads' },
  'forks pool, isolate off': { pool: 'forks', isolate: false },
  'threads pool, isolate off': { pool: 'threads', isolate: false },
}))
  test(`environment 'async-debug' alone checks tests on the ${name}`, () => assertCaught(runVitest('scopes', { test: config })))

for (const pool of ['vmThreads', 'vmForks'])
  test(`the asyncDebug() plugin checks tests on the ${pool} pool`, () => assertCaught(runVitest('scopes', { plugin: {}, test: { pool } })))

test('the plugin on the forks pool, where the environment hooks the runner too, reports each leak once', () => {
  const run = runVitest('scopes', { plugin: {}, test: { pool: 'forks' } })
  assertCaught(run)
  assert.equal(run.output.match(/test "concurrent leaker" left/g)?.length, 1)
})

test('environment alone on a vm pool fails the run with a message naming the plugin, instead of checking nothing', () => {
  const run = runVitest('scopes', { test: { pool: 'vmThreads' } })
  assert.notEqual(run.exitCode, 0)
  assert.match(run.output, /async-debug: the vmThreads and vmForks pools load each test file with its own copy of Vitest/)
  assert.match(run.output, /plugins: \[asyncDebug\(\)\]/)
})
