import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { after, test } from 'node:test'
import { installedProject } from './helpers/projects.mjs'
import { runVitest, vitestMajor } from './helpers/run-vitest.mjs'

// Vitest 3.2 runs no custom environment on the vm pools (src/vitest/runtime.ts): there, the plugin stops the run with our message.
const vmOn3 = (config) => vitestMajor === 3 && config.pool.startsWith('vm')

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
  test(`environment 'async-debug' alone checks tests on the ${name}`, () => {
    // Vitest 3.2 with isolate off waits forever for an environment from outside the root, as the fixtures' is: installed inside it.
    const fixture = vitestMajor === 3 && config.isolate === false ? installed() : 'scopes'
    assertCaught(runVitest(fixture, { test: config }))
  })

const projects = []
after(() => projects.forEach((dir) => rmSync(dir, { recursive: true, force: true })))
// The scopes fixture in a project of its own, async-debug installed in its node_modules.
function installed() {
  projects.push(installedProject('vitest', 'scopes'))
  return projects.at(-1)
}

test('on Vitest 3.2 with isolate off, the plugin stops a run whose async-debug is outside the root, where it would wait forever, naming the way out', { skip: vitestMajor !== 3 && 'Vitest 3.2 only' }, () => {
  const run = runVitest('scopes', { plugin: {}, test: { pool: 'forks', isolate: false }, timeout: 30_000 })
  assert.equal(run.timedOut, false)
  assert.notEqual(run.exitCode, 0)
  assert.match(run.output, /async-debug: Vitest 3\.2 waits forever when, with `isolate: false`, a worker loads a custom test environment such as 'async-debug' from outside the project's root \(\S+ is outside \S+scopes\)/)
  assert.match(run.output, /Install async-debug in the project's own node_modules, leave isolation on, or Vitest 4\.1 or later\./)
  assert.equal(run.tests.size, 0)
})

for (const pool of ['vmThreads', 'vmForks'])
  test(`the asyncDebug() plugin checks tests on the ${pool} pool`, { skip: vmOn3({ pool }) && 'Vitest 3.2 runs no custom environment there' }, () =>
    assertCaught(runVitest('scopes', { plugin: {}, test: { pool } })),
  )

for (const pool of ['vmThreads', 'vmForks'])
  test(`on Vitest 3.2, the plugin stops a run on the ${pool} pool before it starts, naming the version and the alternative`, { skip: vitestMajor !== 3 && 'Vitest 3.2 only' }, () => {
    const run = runVitest('scopes', { plugin: {}, test: { pool }, timeout: 30_000 })
    assert.equal(run.timedOut, false)
    assert.notEqual(run.exitCode, 0)
    assert.match(run.output, new RegExp(`async-debug: Vitest 3\\.2 does not run a custom test environment such as 'async-debug' on the ${pool} pool`))
    assert.match(run.output, /Use the forks or threads pool, or Vitest 4\.1 or later\./)
    assert.equal(run.tests.size, 0)
  })

test('the plugin on the forks pool, where the environment hooks the runner too, reports each leak once', () => {
  const run = runVitest('scopes', { plugin: {}, test: { pool: 'forks' } })
  assertCaught(run)
  assert.equal(run.tests.get('concurrent leaker').message.match(/test "concurrent leaker" left/g)?.length, 1)
})

test('environment alone on a vm pool fails the run with a message naming the plugin, instead of checking nothing', { skip: vmOn3({ pool: 'vmThreads' }) && 'Vitest 3.2 runs no custom environment there' }, () => {
  const run = runVitest('scopes', { test: { pool: 'vmThreads' } })
  assert.notEqual(run.exitCode, 0)
  assert.match(run.output, /async-debug: the vmThreads and vmForks pools load each test file with its own copy of Vitest/)
  assert.match(run.output, /plugins: \[asyncDebug\(\)\]/)
})
