import assert from 'node:assert/strict'
import { test } from 'node:test'
import { vitestMajor } from './helpers/run-vitest.mjs'
import { importedCallColumn, runShared, runners } from './helpers/runners.mjs'

// Vitest 3.2's source maps put a call of an imported function (`spawn(...)`, compiled to
// `(0, __vi_import_0__.spawn)(...)`) at its parenthesis.
const spawnColumn = vitestMajor === 3 ? 8 : 3

// Each leak fails its own test with what leaked, the user's line that created it, and a hint.
const leaks = {
  'leaks a timeout': /setTimeout of 10000 ms, created at \S*timers\.test\.js:2:3\n\s+Hint: clear it with clearTimeout/,
  'leaks an interval': /setInterval every 1000 ms, created at \S*timers\.test\.js:5:3\n\s+Hint: clear it with clearInterval/,
  // Named alike however late a loaded machine ran its links, at the line that sets it.
  'leaks a timer that sets itself again': /setTimeout, set again by its own callback, created at \S*timers\.test\.js:11:22\n\s+Hint: clear it with clearTimeout/,
  'leaks a listening server': /HTTP server listening on 127\.0\.0\.1:\d+, created at \S*network\.test\.js:20:41\n\s+Hint: close it and wait/,
  'leaks a pipe server': /server listening on pipe \S+\.sock, created at \S*network\.test\.js:24:41/,
  'leaks an HTTP request': /HTTP request GET http:\/\/127\.0\.0\.1:\d+\/slow still in flight \(http client\), created at \S*network\.test\.js:27:24/,
  'leaks a client socket': /TCP socket 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+, created at \S*network\.test\.js:32:22\n\s+Hint: end it/,
  'leaks a UDP socket': /UDP socket bound to 127\.0\.0\.1:\d+, created at \S*network\.test\.js:36:24/,
  'leaks a child process': new RegExp(String.raw`child process 'sleep 5' pid \d+, created at \S*processes\.test\.js:5:${spawnColumn}\n\s+Hint: stop it and wait: child\.kill\(\)`),
  'leaks a worker thread': /worker thread \d+, created at \S*processes\.test\.js:8:18\n\s+Hint: stop it and wait: await worker\.terminate\(\)/,
  'leaks a MessagePort': /MessagePort receiving messages, created at \S*processes\.test\.js:12:21/,
  'leaks a fs.watch watcher': /fs\.watch\(\) watcher, created at \S*files\.test\.js:7:6/,
  'leaks a fs.watchFile watcher': /fs\.watchFile\(\) watcher, created at \S*files\.test\.js:10:6/,
  'leaks a file handle': /file handle \(fd \d+\) from fs\.promises\.open\(\), created at \S*files\.test\.js:13:13\n\s+Hint: close it, e\.g\. in a finally block: await fileHandle\.close\(\)/,
  'leaks a descriptor from fs.open': /file descriptor \d+ open on \S*files\.test\.js \(flags 'r'\), from fs\.open\(\) or an fs stream, created at \S*files\.test\.js:23:45/,
  'leaks a descriptor from fs.openSync': /file descriptor \d+ open on \S*files\.test\.js \(flags 'r'\), from fs\.open\(\) or an fs stream, created at \S*files\.test\.js:26:6/,
  'leaks a read stream it never reads': /file descriptor \d+ open on \S*files\.test\.js \(flags 'r'\), from fs\.open\(\) or an fs stream, created at \S*files\.test\.js:29:21/,
}

// The code frame each runner prints under a failure, at the line that created the leak.
const codeFrame = {
  vitest: /❯ timers\.test\.js:5:3\n.*\n.*\n\s+5\|\s+setInterval\(\(\) => \{\}, 1000\)\n\s+\|\s+\^/,
  jest: /> 5 \|\s+setInterval\(\(\) => \{\}, 1000\)\n\s+\|\s+\^/,
}

for (const runner of runners) {
  const run = runShared(runner, 'leaks')

  // Vitest 3 requires `transformMode` of an environment; Vitest 4 warns of one that has it.
  test(`${runner}: the environment loads without a word from the runner`, () => {
    assert.doesNotMatch(run.output, /deprecated|is not a valid environment/)
  })

  for (const [title, message] of Object.entries(leaks)) {
    test(`${runner}: "${title}" fails with its finding`, () => {
      const result = run.tests.get(title)
      assert.equal(result?.status, 'failed', run.output)
      // A server runs no code by itself: it is judged when the file ends, in case an afterAll closes it.
      const when = /server/.test(title) ? 'that the afterAll hooks of file \\S+ did not close either' : 'when it ended'
      assert.match(result.message, new RegExp(`^AsyncLeakError: test "${title}" left 1 async resource alive ${when}`))
      assert.match(result.message, message)
      assert.match(result.message, /async-debug disposed of it/)
    })
  }

  // Vitest 5's default reporter prints a test's failures from its attempts, recorded as it ended.
  test(`${runner}: a test failed after it ended (a server judged at its file's end) is printed with its failure`, () => {
    const printed = runner === 'vitest' ? /FAIL {2}network\.test\.js > leaks a listening server\n(?:.*\n){0,2}AsyncLeakError: test "leaks a listening server" left 1 async resource alive that the afterAll hooks of file/ : /● leaks a listening server\n\n\s+AsyncLeakError: test "leaks a listening server" left 1 async resource alive that the afterAll hooks of file/
    assert.match(run.output, printed)
  })

  // tinypool: a pool's fifty workers were fifty identical lines.
  test(`${runner}: resources alike (the same description, from the same line) are one entry of the list, with how many`, () => {
    const { status, message } = run.tests.get('leaks three timeouts from one line')
    assert.equal(status, 'failed')
    assert.match(message, /left 3 async resources alive when it ended \(after its afterEach hooks\):\n\n {2}1\. 3 × setTimeout of 20000 ms, created at \S*timers\.test\.js:15:31\n\s+Hint: clear it with clearTimeout[^\n]*\n\nasync-debug disposed of them/)
  })

  test(`${runner}: a resource that a helper of the project's own made for a test names the test's line too`, () => {
    const { status, message } = run.tests.get('leaks an interval that a helper of the project starts')
    assert.equal(status, 'failed')
    assert.match(message, new RegExp(String.raw`1\. setInterval every 2000 ms, created at \S*support[/\\]poller\.js:3:10, called from \S*timers\.test\.js:20:${importedCallColumn(runner, 3, 'startPolling')}\n`))
  })

  test(`${runner}: several leaks in one test make one failure listing all`, () => {
    const { status, message } = run.tests.get('leaks two things at once')
    assert.equal(status, 'failed')
    assert.match(message, /left 2 async resources alive/)
    assert.match(message, /1\. setInterval every 1000 ms, created at \S*files\.test\.js:16:3/)
    assert.match(message, /2\. setTimeout of 5000 ms, created at \S*files\.test\.js:17:3/)
  })

  test(`${runner}: the tests after each leak pass: leaks are charged to their test and disposed of`, () => {
    for (const title of ['clean neighbour of timers', 'clean neighbour of network', 'clean neighbour of processes', 'clean neighbour of files', 'closes what it opens'])
      assert.equal(run.tests.get(title)?.status, 'passed', title)
  })

  test(`${runner}: the run fails, and ends on its own although every leak would keep it alive`, () => {
    assert.equal(run.timedOut, false)
    assert.equal(run.hung, false, run.output)
    assert.equal(run.exitCode, 1)
    assert.equal(run.tests.size, 25)
  })

  test(`${runner}: the failure shows a code frame at the line that created the leak`, () => {
    assert.match(run.output, codeFrame[runner])
  })
}
