import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { spawnSync } from 'node:child_process'
import { runnerHome } from './helpers/projects.mjs'
import { runners, runShared, summaryReporter, withEnv } from './helpers/runners.mjs'

const work = mkdtempSync(join(tmpdir(), 'async-debug-trace-'))
after(() => rmSync(work, { recursive: true, force: true }))

// Runs with ASYNC_DEBUG_TRACE naming `file`.
const traced = (file, run) => withEnv({ ASYNC_DEBUG_TRACE: file }, run)

const PHASES = new Set(['X', 'i', 's', 'f', 'M'])
const METADATA = new Set(['process_name', 'process_sort_index', 'thread_name', 'thread_sort_index'])
// Map.groupBy, which Node 20 lacks.
function groupBy(items, key) {
  const groups = new Map()
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item])
  return groups
}
const end = (event) => event.ts + event.dur
const where = (event) => JSON.stringify(event)

/**
 * Checks `trace` against the trace-event format as Perfetto and chrome://tracing read it: every event
 * well formed, each track's spans nested (a span that starts inside another ends inside it), every
 * track and process named, every flow's two ends paired and each bound to a span of its track.
 * Returns the events by phase.
 */
function validate(trace) {
  assert.ok(Array.isArray(trace.traceEvents), 'a JSON object with traceEvents')
  const events = trace.traceEvents
  for (const event of events) {
    assert.ok(PHASES.has(event.ph), where(event))
    assert.equal(typeof event.name, 'string', where(event))
    assert.ok(event.name.length > 0, where(event))
    assert.ok(Number.isInteger(event.pid) && event.pid > 0, where(event))
    assert.ok(Number.isInteger(event.tid) && event.tid >= 0, where(event))
    assert.ok(Number.isInteger(event.ts) && event.ts >= 0, where(event))
    if (event.args !== undefined) assert.equal(typeof event.args, 'object', where(event))
    if (event.ph === 'X') assert.ok(Number.isInteger(event.dur) && event.dur >= 0, where(event))
    if (event.ph === 'i') assert.ok(['t', 'p', 'g'].includes(event.s), where(event))
    if (event.ph === 's' || event.ph === 'f') assert.ok(Number.isInteger(event.id), where(event))
    if (event.ph === 'f') assert.equal(event.bp, 'e', where(event))
    if (event.ph === 'M') {
      assert.ok(METADATA.has(event.name), where(event))
      assert.ok(event.name.endsWith('_name') ? typeof event.args.name === 'string' : Number.isInteger(event.args.sort_index), where(event))
    }
  }
  const byPhase = (ph) => events.filter((event) => event.ph === ph)
  const named = new Set(byPhase('M').filter((event) => event.name === 'thread_name').map((event) => `${event.pid}/${event.tid}`))
  const processes = new Set(byPhase('M').filter((event) => event.name === 'process_name').map((event) => event.pid))
  // Spans nest per track.
  const tracks = groupBy(byPhase('X'), (event) => `${event.pid}/${event.tid}`)
  for (const [track, spans] of tracks) {
    assert.ok(named.has(track), `track ${track} has a name`)
    assert.ok(processes.has(spans[0].pid), `process ${spans[0].pid} has a name`)
    const stack = []
    for (const span of spans.toSorted((a, b) => a.ts - b.ts || b.dur - a.dur)) {
      while (stack.length > 0 && end(stack.at(-1)) <= span.ts) stack.pop()
      if (stack.length > 0) assert.ok(end(span) <= end(stack.at(-1)), `on track ${track}, ${where(span)} starts inside ${where(stack.at(-1))} and ends after it`)
      stack.push(span)
    }
  }
  // Each end of a flow is bound to a span of its track that encloses it.
  const within = (event) => (tracks.get(`${event.pid}/${event.tid}`) ?? []).some((span) => span.ts <= event.ts && event.ts <= end(span))
  for (const [id, ends] of groupBy([...byPhase('s'), ...byPhase('f')], (event) => event.id)) {
    assert.deepEqual(ends.map((event) => event.ph).sort(), ['f', 's'], `flow ${id}: ${where(ends)}`)
    const [start, finish] = [ends.find((event) => event.ph === 's'), ends.find((event) => event.ph === 'f')]
    assert.ok(start.ts <= finish.ts, `flow ${id} goes forward in time`)
    for (const event of ends) assert.ok(within(event), `flow ${id}: ${where(event)} is inside a span of its track`)
  }
  // Instants sit on named tracks.
  for (const mark of byPhase('i')) assert.ok(named.has(`${mark.pid}/${mark.tid}`), where(mark))
  return { spans: byPhase('X'), marks: byPhase('i'), flows: byPhase('s'), threads: byPhase('M').filter((event) => event.name === 'thread_name') }
}

for (const runner of runners) {
  test(`${runner}: ASYNC_DEBUG_TRACE writes one trace of the run, valid trace-event JSON, with the files, tests, resources and what became of them, findings, slow callbacks and a callback run during another test`, () => {
    const file = join(work, `${runner}.json`)
    const run = traced(file, () => runShared(runner, 'trace', { asyncDebug: { slowCallbackMs: 50 }, args: summaryReporter }))
    assert.ok(existsSync(file), run.output)
    assert.match(run.output, /async-debug: trace written to .*\(open it in ui\.perfetto\.dev\)/)
    const { spans, marks, flows, threads } = validate(JSON.parse(readFileSync(file, 'utf8')))
    const span = (cat, name) => spans.find((event) => event.cat === cat && (typeof name === 'string' ? event.name === name : name.test(event.name)))
    const fileSpan = span('file', /timeline\.test\.js$/)
    assert.ok(fileSpan, spans.map(where).join('\n'))
    assert.ok(threads.some((thread) => thread.pid === fileSpan.pid && thread.tid === fileSpan.tid && /timeline\.test\.js$/.test(thread.args.name) && thread.args.file === fileSpan.args.name), 'the file has a track of its own, which says whose it is')
    assert.ok(span('suite', 'suite "timeline"'))
    const leaker = span('test', 'test "timeline > leaks an interval"')
    assert.ok(leaker, spans.map((event) => event.name).join('\n'))
    assert.ok(leaker.ts >= fileSpan.ts && end(leaker) <= end(fileSpan), 'the test is inside its file')
    assert.ok(span('judging', 'judging test "timeline > leaks an interval"'))

    const resource = (name, owner) => spans.find((event) => event.cat === 'resource' && event.name === name && event.args.owner === owner)
    const leaked = resource('setInterval every 1000 ms', 'test "timeline > leaks an interval"')
    assert.ok(leaked, spans.filter((event) => event.cat === 'resource').map(where).join('\n'))
    assert.equal(leaked.args.outcome, 'leaked')
    assert.equal(leaked.args.asyncType, 'Timeout')
    assert.equal(leaked.args.type, 'interval')
    assert.ok(threads.some((thread) => thread.pid === leaked.pid && thread.tid === leaked.tid && thread.args.file === fileSpan.args.name), "the file's resources' track says whose it is")
    assert.match(leaked.args.site, /timeline\.test\.js:15:5$/)
    assert.ok(leaked.ts >= leaker.ts && end(leaked) <= end(leaker) + 1, 'disposed of as its test was judged')
    const closed = resource('setTimeout of 10000 ms', 'test "timeline > closes its timer"')
    assert.equal(closed?.args.outcome, 'closed', where(closed))
    assert.equal(resource('setInterval every 5 ms', 'test "timeline > lets a ticker run on"')?.args.outcome, 'allowed')
    assert.ok(marks.some((mark) => mark.cat === 'finding' && mark.name === 'interval: setInterval every 1000 ms' && mark.pid === leaker.pid), marks.map(where).join('\n'))

    const slow = span('slow-callback', 'slow: a setTimeout callback')
    assert.ok(slow, spans.map((event) => event.name).join('\n'))
    assert.equal(slow.args.scope, 'test "timeline > blocks the event loop"')
    assert.ok(slow.args.took >= 50)

    // The ticker's callback ran during the next test: an arrow from the test that made it.
    const callback = span('callback', 'callback of setInterval every 5 ms')
    assert.ok(callback, spans.map((event) => event.name).join('\n'))
    assert.equal(callback.args.during, 'test "timeline > runs while the ticker ticks"')
    const next = span('test', 'test "timeline > runs while the ticker ticks"')
    assert.ok(callback.ts >= next.ts && end(callback) <= end(next))
    assert.ok(flows.some((flow) => flow.name === callback.name), 'a flow starts at the test that made the ticker')

    // The other file, from its worker's part: its own track, its tests (on two tracks where they overlap), its hooks.
    const other = span('file', /concurrent\.test\.js$/)
    assert.ok(other, spans.map((event) => event.name).join('\n'))
    assert.notEqual(`${other.pid}/${other.tid}`, `${fileSpan.pid}/${fileSpan.tid}`)
    const [first, second] = ['first of two at once', 'second of two at once'].map((name) => span('test', `test "${name}"`))
    assert.ok(first && second, spans.map((event) => event.name).join('\n'))
    if (first.ts < end(second) && second.ts < end(first)) assert.notEqual(first.tid, second.tid, 'tests that overlap are on two tracks')
    // Jest runs no beforeEach hook for a concurrent test.
    if (runner === 'vitest') assert.ok(spans.some((event) => event.cat === 'hook' && /^beforeEach hook of test "(first|second) of two at once"$/.test(event.name)), spans.map((event) => event.name).join('\n'))
  })

  test(`${runner}: a sharded run's traces, one a shard, are one valid trace by \`async-debug merge-traces\`, each shard's processes apart`, () => {
    const shards = [1, 2].map((shard) => {
      const file = join(work, `${runner}-shard-${shard}.json`)
      const run = traced(file, () => runShared(runner, 'trace', { args: { [runner]: [...summaryReporter[runner], `--shard=${shard}/2`] } }))
      assert.ok(existsSync(file), run.output)
      return file
    })
    const merged = join(work, `${runner}-merged.json`)
    const cli = join(runnerHome(runner).asyncDebug, 'dist', 'cli.js')
    const merging = spawnSync(process.execPath, [cli, 'merge-traces', merged, ...shards], { encoding: 'utf8' })
    assert.equal(merging.status, 0, merging.stderr)
    assert.match(merging.stdout, /async-debug: 2 traces merged into .*-merged\.json/)
    const { spans } = validate(JSON.parse(readFileSync(merged, 'utf8')))
    const files = spans.filter((event) => event.cat === 'file')
    assert.deepEqual(files.map((event) => event.name.replace(/^file (.*\/)?/, '')).sort(), ['concurrent.test.js', 'timeline.test.js'])
    assert.notEqual(files[0].pid, files[1].pid, 'each shard is a process of its own')
    const processes = JSON.parse(readFileSync(merged, 'utf8')).traceEvents.filter((event) => event.name === 'process_name').map((event) => event.args.name)
    for (const shard of shards) assert.ok(processes.some((name) => name.startsWith(`${shard.replace(/^.*\//, '')}: `)), processes.join('\n'))

    const usage = spawnSync(process.execPath, [cli, 'merge-traces', merged], { encoding: 'utf8' })
    assert.equal(usage.status, 2)
    assert.match(usage.stderr, /usage: async-debug merge-traces <output\.json> <trace\.json>\.\.\./)
  })

  test(`${runner}: a value of ASYNC_DEBUG_TRACE that names no file is one error naming the variable`, () => {
    const run = traced('1', () => runShared(runner, 'trace', { args: summaryReporter }))
    assert.notEqual(run.exitCode, 0)
    assert.match(run.output, /ASYNC_DEBUG_TRACE names the trace file to write, e\.g\. ASYNC_DEBUG_TRACE=trace\.json; got '1'/)
  })
}
