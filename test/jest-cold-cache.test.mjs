import assert from 'node:assert/strict'
import { test } from 'node:test'
import { failed, passed } from './helpers/expect-results.mjs'
import { runJest } from './helpers/run-jest.mjs'

// Jest writes its transform cache through write-file-atomic, whose signal-exit (v4) saves
// process.emit when it loads, in the first file, and puts that back after each write: in a later
// file, a wrapper of process.emit added since is gone, and with it the warnings it observed.
test('jest: a warning in a later file is caught though a cold transform cache put back an older process.emit', () => {
  const run = runJest('jest/cold-cache', { config: { transform: { '\\.js$': 'babel-jest' } }, args: ['--runInBand'] })
  passed(run, 'runs first, and its transform writes the cache')
  failed(run, 'adds too many listeners after the cache was written', /emitted MaxListenersExceededWarning/)
  const order = run.report.testResults.map((file) => file.name.replace(/.*[\\/]/, ''))
  assert.deepEqual(order, ['a-runs-first.test.js', 'b-warns.test.js'], 'the order this test relies on')
})
