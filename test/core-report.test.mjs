import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { test } from 'node:test'
import { Engine, Scope, creationSite, dependencyOf, fileBaseline, floatingWarning, htmlPage, importedBy, lanes, leakError, pageModel, removeRunTempDir, resolveOptions, runSummary, runTempDir, scriptJson, userFrames } from './helpers/core.mjs'

const site = (stack) => ({ stack, cause: undefined })

test('user frames leave out Node, dependencies and native frames', () => {
  const stack = [
    'Error',
    '    at init (node:internal/async_hooks:1:1)',
    '    at setTimeout (node:timers:2:2)',
    '    at poll (/app/node_modules/lib/index.js:3:3)',
    '    at startPoller (/app/src/poller.ts:4:5)',
    '    at /app/test/poller.test.ts:6:7',
    '    at new Promise (<anonymous>)',
  ].join('\n')
  assert.deepEqual(userFrames(site(stack)), ['    at startPoller (/app/src/poller.ts:4:5)', '    at /app/test/poller.test.ts:6:7'])
  assert.equal(creationSite(site(stack)), '/app/src/poller.ts:4:5')
  assert.equal(creationSite(site('Error\n    at file:///app/a.test.js:1:2')), '/app/a.test.js:1:2')
})

test("a dependency's module body that makes a resource as it is imported is told from a dependency called by the user's code", () => {
  const port = '    at new MessageChannel (node:internal/worker/io:1:1)'
  const scheduler = '    at Object.<anonymous> (/app/node_modules/.pnpm/scheduler@0.26.0/node_modules/scheduler/cjs/scheduler.development.js:221:17)'
  const stack = (...frames) => ['Error', port, ...frames].join('\n')
  // Node's CommonJS loader, under an ESM import of the user's (Vitest), and Jest's runtime, under the user's import line.
  assert.equal(importedBy(site(stack(scheduler, '    at Module._compile (node:internal/modules/cjs/loader:1521:14)', '    at async ModuleLoader.import (node:internal/modules/esm/loader:606:24)'))), scheduler)
  assert.equal(importedBy(site(stack(scheduler, '    at ModuleExecutor.exec (/app/node_modules/jest-runtime/build/index.js:3055:26)', '    at Object.require (/app/src/pure.js:3:1)'))), scheduler)
  // async-debug's own wrapper, evaluated by Vite's module runner, is not a loader.
  assert.equal(importedBy(site(stack(scheduler, '    at Immediate.timed (eval at runInlinedModule (file:///app/node_modules/vite/dist/node/module-runner.js:807:9), <anonymous>:1336:25)'))), undefined)
  // Called by the user's code, or made by the user's own module body: the user's.
  assert.equal(importedBy(site(stack(scheduler, '    at connect (/app/src/db.js:4:3)', '    at Module._compile (node:internal/modules/cjs/loader:1521:14)'))), undefined)
  assert.equal(importedBy(site(stack('    at Object.<anonymous> (/app/src/poller.js:2:1)', '    at Module._compile (node:internal/modules/cjs/loader:1521:14)'))), undefined)
  // A timer that a timer's callback set: the first of the chain was made as its module was imported.
  const later = site(stack(scheduler, '    at listOnTimeout (node:internal/timers:1:1)'))
  later.cause = site(stack(scheduler, '    at Module._compile (node:internal/modules/cjs/loader:1521:14)'))
  assert.equal(importedBy(later), scheduler)
  assert.equal(dependencyOf(scheduler), 'scheduler')
})

test("V8's frames of a Promise.all element and of eval'd code are not a user's line", () => {
  const stack = ['Error', '    at async Promise.all (index 0)', '    at eval (eval at runInlinedModule (file:///app/node_modules/vite/x.js:1:1), <anonymous>:2:3)', '    at async /app/test/a.test.js:7:5'].join('\n')
  assert.equal(creationSite(site(stack)), '/app/test/a.test.js:7:5')
})

test('with no user frame on its own stack, the cause is used', () => {
  const own = site('Error\n    at onlookup (node:net:1:1)')
  own.cause = site('Error\n    at Server.listen (node:net:2:2)\n    at startServer (/app/server.js:9:3)')
  assert.equal(creationSite(own), '/app/server.js:9:3')
  assert.equal(creationSite(site('Error\n    at node:internal/x:1:1')), undefined)
})

test('a leak error lists every finding with its line and hint, and its stack starts at the first one', async () => {
  const engine = new Engine(resolveOptions({})).enable()
  try {
    const scope = engine.open('test', 'loads the user')
    engine.run(scope, () => {
      setInterval(() => {}, 1000)
      setTimeout(() => {}, 2000)
    })
    const error = leakError(scope, await engine.close(scope), true)
    assert.equal(error.name, 'AsyncLeakError')
    const lines = error.message.split('\n')
    assert.equal(lines[0], 'test "loads the user" left 2 async resources alive when it ended (after its afterEach hooks):')
    assert.match(lines[2], /^ {2}1\. setInterval every 1000 ms, created at \S+core-report\.test\.mjs:\d+:\d+$/)
    assert.match(lines[3], /^ {5}Hint: .*clearInterval/)
    assert.match(lines[4], /^ {2}2\. setTimeout of 2000 ms, created at /)
    assert.equal(lines.at(-1), 'async-debug disposed of them so that later tests are not affected.')
    assert.match(error.stack.split('\n').find((l) => l.startsWith('    at ')), /core-report\.test\.mjs/)
  } finally {
    engine.disable()
  }
})

test('a floating call with no line of the user\'s, warned of again, says who made it, never "undefined"', () => {
  const warn = (title, printed) => {
    const scope = new Scope('test', title)
    const site = { stack: 'Error\n    at Server.emit (node:events:1:1)\n    at parserOnIncoming (node:_http_server:2:2)', cause: undefined }
    scope.warnings.push({ tracked: { asyncType: 'PROMISE', resource: Promise.resolve(), owner: scope, createdAt: 0, site }, type: 'promise', facts: { is: 'floating-call', fn: undefined }, asyncFunction: undefined })
    return floatingWarning(scope, printed)
  }
  const printed = new Set()
  assert.match(warn('aborts a request', printed), /created by Node or a dependency \(no line of your code on its stack\)/)
  const again = warn('aborts another request', printed)
  assert.match(again, /left an anonymous async function \(created by Node or a dependency \(no line of your code on its stack\)\) pending that nothing awaits, as an earlier test did/)
  assert.doesNotMatch(again, /undefined/)
})

test('the run summary counts by kind and outcome, names the files with most, and reports baseline entries fixed', () => {
  const record = (file, outcome, kind, n, reason) => ({ file, scope: 'test "t"', scopeKind: 'test', kind, outcome, ...(reason ? { reason } : {}), findings: Array.from({ length: n }, () => ({ type: 'interval', description: 'setInterval every 1000 ms' })), text: '    1. setInterval every 1000 ms' })
  const summary = runSummary([
    record('a.test.js', 'failed', 'leaks', 2),
    record('b.test.js', 'failed', 'rejections', 1),
    record('a.test.js', 'allowed', 'leaks', 3, 'baseline: listed in x.json'),
    record('c.test.js', 'reported', 'promises', 1, 'warning: never awaited, still pending'),
    record('a.test.js', 'fixed', 'leaks', 2, 'fixed: listed in x.json, not found'),
  ])
  const [counts, fixed, fixedWhere] = summary.split('\n')
  assert.equal(counts, 'async-debug: 3 findings failed 2 tests (leaks 2, rejections 1), 1 reported only, 3 allowed (3 by the baseline); most in a.test.js (5), b.test.js (1), c.test.js (1)')
  assert.equal(fixed, 'async-debug: fixed since the baseline: 2; run with ASYNC_DEBUG_BASELINE=update to shrink the baseline:')
  assert.equal(fixedWhere, '  a.test.js: test "t"')
  assert.match(summary, /in 1 place:\n\n {2}c\.test\.js: test "t"\n {2}warning: never awaited, still pending\n/)
  assert.equal(runSummary([]), 'async-debug: nothing found')
  assert.equal(runSummary([record('a.test.js', 'fixed', 'leaks', 1, 'fixed')]).split('\n')[0], 'async-debug: 0 failed, 0 reported only, 0 allowed')
  // A describe block's and a file's findings are counted as such, by the record's scopeKind, not its title.
  const scoped = (scope, scopeKind, file = 'a.test.js') => ({ ...record(file, 'failed', 'leaks', 1), scope, scopeKind })
  assert.match(runSummary([scoped('test "t"', 'test'), scoped('test "t"', 'test'), scoped('suite "s"', 'suite'), scoped('file a.test.js', 'file'), scoped('test "t"', 'test', 'b.test.js')]), /^async-debug: 5 findings failed 2 tests, 1 describe block, 1 file \(leaks 5\)/)
})

test('a baseline knows a finding by file, scope, kind, type and the file of its site, not its line; each entry lets one pass', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const { join } = await import('node:path')
  const dir = mkdtempSync(join(tmpdir(), 'async-debug-baseline-core-'))
  try {
    const path = join(dir, 'baseline.json')
    const finding = { type: 'interval', description: 'setInterval every 1000 ms', site: join(dir, 'src', 'a.test.js:5:3') }
    writeFileSync(path, JSON.stringify({ asyncDebug: 1, records: [{ file: 'a.test.js', scope: 'test "t"', scopeKind: 'test', kind: 'leaks', outcome: 'failed', findings: [finding], text: '' }] }))
    const baseline = fileBaseline(path, 'a.test.js', dir, {})
    const moved = { ...finding, site: join(dir, 'src', 'a.test.js:9:7') }
    assert.equal(baseline.take('test "other"', 'leaks', moved), false, 'another test')
    assert.equal(baseline.take('test "t"', 'leaks', { ...moved, type: 'timeout' }), false, 'another type')
    assert.equal(baseline.take('test "t"', 'leaks', moved), true, 'the same finding, on another line')
    assert.equal(baseline.take('test "t"', 'leaks', moved), false, 'one entry, one finding')
    assert.deepEqual(baseline.left(), [])
    const [fixed] = fileBaseline(path, 'a.test.js', dir, {}).left()
    assert.deepEqual([fixed.outcome, fixed.scopeKind], ['fixed', 'test'])
    assert.equal(fileBaseline(join(dir, 'missing.json'), 'a.test.js', dir, {}).take('test "t"', 'leaks', finding), false)
    assert.equal(fileBaseline(path, 'a.test.js', dir, { ASYNC_DEBUG_BASELINE: 'update' }).take('test "x"', 'leaks', finding), true)
    // Recorded in another checkout: its sites are read relative to the folder its run ran in.
    const elsewhere = join(dir, 'elsewhere.json')
    writeFileSync(elsewhere, JSON.stringify({ asyncDebug: 1, root: '/home/dev/project', records: [{ file: 'a.test.js', scope: 'test "t"', kind: 'leaks', outcome: 'failed', findings: [{ ...finding, site: '/home/dev/project/src/a.test.js:5:3' }], text: '' }] }))
    assert.equal(fileBaseline(elsewhere, 'a.test.js', dir, {}).take('test "t"', 'leaks', moved), true, 'the same finding, in another checkout')
    // A baseline file's entries: no outcome, paths relative to the folder the run ran in; this run names its file by its full path.
    const entries = join(dir, 'entries.json')
    writeFileSync(entries, JSON.stringify({ asyncDebug: 1, records: [{ file: 'src/a.test.js', scope: 'test "t"', kind: 'leaks', findings: [{ ...finding, site: 'src/a.test.js:5:3' }], text: '' }] }))
    const absolute = fileBaseline(entries, join(dir, 'src', 'a.test.js'), dir, {})
    assert.equal(absolute.take('test "t"', 'leaks', moved), true, 'the same finding, named by full paths')
    assert.equal('scopeKind' in fileBaseline(entries, join(dir, 'src', 'a.test.js'), dir, {}).left()[0], false, 'an entry written before records had scopeKind')
    assert.equal(fileBaseline(entries, join(dir, 'b.test.js'), dir, {}).take('test "t"', 'leaks', moved), false, 'another file')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

// A long run's trace has more events than a function call takes arguments.
test("a trace of many events merges, its time counted from its first event", async () => {
  const { mergeTrace } = await import('./helpers/core.mjs')
  const events = Array.from({ length: 300_000 }, (_, i) => ({ name: 'mark', ph: 'i', s: 't', ts: 1000 + i, pid: 1, tid: 1 }))
  const { traceEvents } = mergeTrace([{ worker: 'w', events }])
  const marks = traceEvents.filter((event) => event.ph === 'i')
  assert.equal(marks.length, 300_000)
  assert.equal(marks[0].ts, 0)
  assert.equal(marks.at(-1).ts, 299_999)
})

test("the page of a run holds its data where no text of the run can close the script element or run as markup", () => {
  const hostile = '</script><script>alert(1)</script><!-- \u2028'
  const model = { title: `run of ${hostile}`, duration: 1, types: [], hints: {}, files: [{ name: hostile, start: 0, end: 1, tests: [], resources: [], found: [] }] }
  const page = htmlPage(model)
  assert.equal(page.match(/<\/script>/g).length, 2, 'the data script and the page script close once each')
  assert.doesNotMatch(page, /<script>alert/)
  assert.match(page, /<title>run of &#60;\/script&#62;/)
  const data = page.match(/<script type="application\/json" id="async-debug-data">(.*?)<\/script>/s)[1]
  assert.deepEqual(JSON.parse(data), model)
  assert.equal(scriptJson('\u2029<'), '"\\u2029\\u003c"')
})

test('the page of a run: overlapping tests go on rows of their own; a resource past its test is told outlived, with the test, and its callbacks during another', () => {
  assert.deepEqual(lanes([{ start: 0, end: 10 }, { start: 5, end: 8 }, { start: 10, end: 12 }, { start: 9, end: 20 }]), [0, 1, 0, 1])
  const thread = (tid, name) => ({ name: 'thread_name', ph: 'M', ts: 0, pid: 1, tid, args: { name, file: 'a.test.js' } })
  const span = (tid, cat, name, ts, dur, args = {}) => ({ name, cat, ph: 'X', ts, dur, pid: 1, tid, args })
  const events = [
    thread(1, 'a.test.js'),
    thread(2, 'a.test.js · resources'),
    span(1, 'file', 'file a.test.js', 0, 10_000, { name: 'a.test.js' }),
    span(1, 'test', 'test "one"', 1000, 2000, { name: 'one' }),
    span(1, 'test', 'test "two"', 4000, 3000, { name: 'two' }),
    span(1, 'callback', 'callback of setInterval every 5 ms', 5000, 100, { owner: 'beforeEach hook of test "one"', during: 'test "two"' }),
    span(2, 'resource', 'setInterval every 5 ms', 1500, 5000, { type: 'interval', asyncType: 'Timeout', owner: 'beforeEach hook of test "one"', site: '/a.test.js:3:5', outcome: 'allowed', reason: 'allowPending(): on purpose' }),
    span(2, 'resource', 'setTimeout of 10 ms', 4100, 100, { type: 'timeout', asyncType: 'Timeout', owner: 'test "two"', outcome: 'closed' }),
    { name: 'interval: setInterval every 5 ms', cat: 'finding', ph: 'i', s: 't', ts: 3000, pid: 1, tid: 1, args: { type: 'interval', scope: 'test "one"', site: '/a.test.js:3:5' } },
    { name: 'server: TCP server listening on 127.0.0.1:80', cat: 'finding', ph: 'i', s: 't', ts: 9000, pid: 1, tid: 1, args: { type: 'server', scope: 'suite "s"', site: '/a.test.js:9:5' } },
  ]
  const model = pageModel(events, [{ file: 'a.test.js', name: 'one', failed: true, errors: ['boom'] }], 'run')
  assert.deepEqual(model.types, ['interval', 'timeout'], 'the kinds of the resources drawn')
  assert.deepEqual(Object.keys(model.hints), ['interval', 'server', 'timeout'], "a finding's type has its hint")
  assert.match(model.hints.interval, /clearInterval/)
  const [file] = model.files
  assert.deepEqual(file.tests.map(({ name, failed, errors, found }) => [name, failed, errors, found.length]), [['one', true, ['boom'], 1], ['two', false, [], 0]])
  const [ticker, timer] = file.resources
  assert.deepEqual([ticker.ownerTest, ticker.ownerEnd, ticker.outlived, ticker.callbacks], [0, 3, true, [['test "two"', 1]]])
  assert.deepEqual([timer.ownerTest, timer.outlived], [1, false])
  assert.deepEqual(file.found.map(({ scope, type }) => [scope, type]), [['suite "s"', 'server']], "a suite's finding is the file's, listed, as no bar is the suite's")
})

test("a run's directories for its workers' parts are removed at exit by one listener, however many a watch mode makes, and each when read", () => {
  const listeners = process.listenerCount('exit')
  const dirs = Array.from({ length: 20 }, () => runTempDir('async-debug-test-'))
  assert.equal(process.listenerCount('exit'), listeners + 1)
  for (const dir of dirs) assert.ok(existsSync(dir))
  for (const dir of dirs) removeRunTempDir(dir)
  for (const dir of dirs) assert.ok(!existsSync(dir))
  assert.equal(process.listenerCount('exit'), listeners, 'none left once all are removed')
})
