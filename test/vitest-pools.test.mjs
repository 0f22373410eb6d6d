import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runVitest, vitestMajor } from './helpers/run-vitest.mjs'

// Vitest 3.2 hangs when a worker that loaded a custom environment gets a second file, as the vm pools
// and `isolate: false` do (src/vitest/runtime.ts): there, the plugin stops the run with our message.
const reusesWorkers = (config) => vitestMajor === 3 && (config.pool.startsWith('vm') || config.isolate === false)

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
  test(`environment 'async-debug' alone checks tests on the ${name}`, { skip: reusesWorkers(config) && 'Vitest 3.2 hangs here, whatever the environment' }, () =>
    assertCaught(runVitest('scopes', { test: config })),
  )

for (const pool of ['vmThreads', 'vmForks'])
  test(`the asyncDebug() plugin checks tests on the ${pool} pool`, { skip: reusesWorkers({ pool }) && 'Vitest 3.2 hangs here, whatever the environment' }, () =>
    assertCaught(runVitest('scopes', { plugin: {}, test: { pool } })),
  )

for (const config of [{ pool: 'vmThreads' }, { pool: 'forks', isolate: false }])
  test(`on Vitest 3.2, the plugin stops a run on ${JSON.stringify(config)} before it hangs, naming the version and the alternative`, { skip: vitestMajor !== 3 && 'Vitest 3.2 only' }, () => {
    const run = runVitest('scopes', { plugin: {}, test: config, timeout: 30_000 })
    assert.equal(run.timedOut, false)
    assert.notEqual(run.exitCode, 0)
    assert.match(run.output, /async-debug: Vitest 3\.2 waits forever when a custom test environment such as 'async-debug' runs with (the vmThreads pool|`isolate: false`)/)
    assert.match(run.output, /Use the forks or threads pool with isolation on \(Vitest's default\), or Vitest 4\.1 or later\./)
    assert.equal(run.tests.size, 0)
  })

test('the plugin on the forks pool, where the environment hooks the runner too, reports each leak once', () => {
  const run = runVitest('scopes', { plugin: {}, test: { pool: 'forks' } })
  assertCaught(run)
  assert.equal(run.tests.get('concurrent leaker').message.match(/test "concurrent leaker" left/g)?.length, 1)
})

test('environment alone on a vm pool fails the run with a message naming the plugin, instead of checking nothing', { skip: reusesWorkers({ pool: 'vmThreads' }) && 'Vitest 3.2 hangs here, whatever the environment' }, () => {
  const run = runVitest('scopes', { test: { pool: 'vmThreads' } })
  assert.notEqual(run.exitCode, 0)
  assert.match(run.output, /async-debug: the vmThreads and vmForks pools load each test file with its own copy of Vitest/)
  assert.match(run.output, /plugins: \[asyncDebug\(\)\]/)
})
