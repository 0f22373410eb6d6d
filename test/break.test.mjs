// ASYNC_DEBUG_BREAK, end to end on real runner processes: a failure ends with the command that
// reruns its test in the debugger, and that command, run with an inspector that a client attaches
// to (as a debugger does, over the inspector protocol), pauses with the creation line as its top frame.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { runnerHome } from './helpers/projects.mjs'
import { onlyFor, runShared } from './helpers/runners.mjs'

const work = mkdtempSync(join(tmpdir(), 'async-debug-break-'))
after(() => rmSync(work, { recursive: true, force: true }))
const driver = fileURLToPath(new URL('./helpers/inspect-run.mjs', import.meta.url))

// Vitest 5 names a test by its suites' names and its own, joined by ' > '; the Jest projects run ES modules.
const commands = {
  vitest: `npx vitest run --inspect-brk --no-file-parallelism break.test.js -t '^queue${runnerHome('vitest').root.endsWith('vitest@5') ? ' > ' : ' '}polls for work$'`,
  jest: "node --experimental-vm-modules --inspect-brk node_modules/.bin/jest -i break.test.js -t '^queue polls for work$'",
}

// A port free now, for the inspector: Vitest takes port 0 for its default, 9229.
const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })

// Runs the failure's command, as `runner` of the fixture's project, through the inspector client.
async function runInDebugger(runner, variable, pattern) {
  const home = runnerHome(runner)
  const root = join(home.fixtures, 'shared', 'break')
  const inspect = `--inspect-brk=127.0.0.1:${await freePort()}`
  let args
  let env = { ASYNC_DEBUG_BREAK: variable, CI: 'true' }
  if (runner === 'vitest') {
    const config = join(work, 'vitest.config.mjs')
    writeFileSync(config, `export default ${JSON.stringify({ root, test: { environment: 'async-debug', globals: true } })}\n`)
    args = [join(home.root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', config, inspect, '--no-file-parallelism', 'break.test.js', '-t', pattern]
  } else {
    const config = join(work, 'jest.config.cjs')
    writeFileSync(config, `module.exports = ${JSON.stringify({ rootDir: root, testEnvironment: 'async-debug', transform: {}, cacheDirectory: join(work, 'cache') })}\n`)
    args = [inspect, join(home.root, 'node_modules', 'jest', 'bin', 'jest.js'), '--config', config, '--ci', '-i', 'break.test.js', '-t', pattern]
    env = { ...env, NODE_OPTIONS: '--experimental-vm-modules --disable-warning=ExperimentalWarning' }
  }
  const flags = typeof WebSocket === 'undefined' ? ['--experimental-websocket'] : []
  const { stdout } = await promisify(execFile)(process.execPath, [...flags, driver, JSON.stringify({ args, cwd: root, env })], { timeout: 120_000, maxBuffer: 64 << 20 })
  return { ...JSON.parse(stdout), root }
}

for (const runner of ['vitest', 'jest'])
  test(`${runner}: a failure ends with the command that reruns its test, stopped in the debugger at the creation line`, { ...onlyFor(runner), timeout: 300_000 }, async () => {
    const { tests } = runShared(runner, 'break', { files: ['break.test.js'] })
    const failed = tests.get('polls for work')
    assert.equal(failed?.status, 'failed')
    const [, line] = /^Debug it: (.*)$/m.exec(failed.message) ?? []
    assert.equal(line, `ASYNC_DEBUG_BREAK=queue.js:3 ${commands[runner]}`)
    const [, variable] = /^ASYNC_DEBUG_BREAK=(\S+)/.exec(line)
    const [, pattern] = / -t '(.*)'$/.exec(line)

    const { pauses, output, exitCode, root } = await runInDebugger(runner, variable, pattern)
    const inQueue = pauses.filter(({ file }) => file === join(root, 'queue.js'))
    assert.deepEqual(inQueue.map(({ line, functionName }) => ({ line, functionName })), [{ line: 3, functionName: 'startPolling' }], `${JSON.stringify(pauses)}\n${output}`)
    // Resumed, the run goes on: the one test the filter keeps fails as before, the other is skipped.
    assert.equal(exitCode, 1, output)
    assert.match(output, /AsyncLeakError: test "queue > polls for work" left 1 async resource alive/)
  })

for (const runner of ['vitest', 'jest'])
  test(`${runner}: ASYNC_DEBUG_BREAK at the line of a floating call stops there, each time its test's code makes the call`, { ...onlyFor(runner), timeout: 300_000 }, async () => {
    const { pauses, output, exitCode, root } = await runInDebugger(runner, 'break.test.js:18', '^refreshes in the background$')
    // Vitest's --inspect-brk stops at the test file's first line itself.
    const inTest = pauses.filter(({ file, line }) => file === join(root, 'break.test.js') && !(runner === 'vitest' && line === 1))
    assert.deepEqual(inTest.map(({ line }) => line), [18], `${JSON.stringify(pauses)}\n${output}`)
    assert.equal(exitCode, 1, output)
    assert.match(output, /Awaited by async call refresh\(\), created at \S*break\.test\.js:18:\d+, which nothing awaits/)
  })
