// What users see of their own failures is exactly what a plain run shows: no frame of async-debug's, with
// async-debug installed as users install it (under node_modules, where the runners take it for a dependency).
import assert from 'node:assert/strict'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { installedProject, runnerHome } from './helpers/projects.mjs'
import { runJest } from './helpers/run-jest.mjs'
import { onlyFor, runners } from './helpers/runners.mjs'
import { spawnRunner } from './helpers/spawn-runner.mjs'

const projects = []
after(() => projects.forEach((dir) => rmSync(dir, { recursive: true, force: true })))

/** Runs `fixture`'s tests under `runner` in an installed project, plain and with async-debug. */
function runBoth(runner, fixture) {
  const dir = installedProject(runner, fixture)
  projects.push(dir)
  const bin = join(runnerHome(runner).root, 'node_modules', ...(runner === 'vitest' ? ['vitest', 'vitest.mjs'] : ['jest', 'bin', 'jest.js']))
  const run = (environment) => {
    const reportFile = join(dir, `${environment}.json`)
    if (runner === 'vitest') {
      writeFileSync(join(dir, 'vitest.config.mjs'), `export default { test: { environment: '${environment}', globals: true } }\n`)
      return spawnRunner([bin, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`], { cwd: dir, timeout: 60_000, reportFile, env: { CI: 'true' } })
    }
    const config = join(dir, 'jest.config.cjs')
    writeFileSync(config, `module.exports = { testEnvironment: '${environment}', transform: {}, rootDir: __dirname }\n`)
    return spawnRunner([bin, '--config', config, '--ci', '--json', `--outputFile=${reportFile}`], { cwd: dir, timeout: 60_000, reportFile, env: { NODE_OPTIONS: '--experimental-vm-modules --disable-warning=ExperimentalWarning' } })
  }
  return { plain: run('node'), withAsyncDebug: run('async-debug') }
}

const output = ({ run }) => `${run.stdout}${run.stderr}`
// The frames of a failure that the runners show, the user's: not Node's (where an async hook changes
// which are on the stack), nor those under node_modules (the runner's, which a stack of ten frames
// has fewer or more of as other frames are on it or not; async-debug's are looked for in the output).
const frames = (message) => message.split('\n').filter((line) => /^\s+at /.test(line) && !/\(node:|^\s+at node:|\(<anonymous>\)$|[/\\]node_modules[/\\]/.test(line))
const failures = ({ report }) => new Map(report.testResults.flatMap((file) => file.assertionResults).map((a) => [a.title, a.failureMessages]))

for (const runner of runners) {
  test(`${runner}: a failed expect, a throw, a rejection, an fs error, a fetch() that rejects, a timeout, an unhandled rejection and a diff show what the plain runner shows, no frame or insides of async-debug's`, () => {
    const { plain, withAsyncDebug } = runBoth(runner, 'stacks')
    assert.doesNotMatch(output(withAsyncDebug), /async-debug[/\\]dist/)
    // A diff of a value holding promises shows the async context Node keeps on them: our scope's title, not its insides.
    assert.doesNotMatch(output(withAsyncDebug), /PromiseLedger|mustAwait/)
    const expected = failures(plain)
    const actual = failures(withAsyncDebug)
    assert.ok(expected.size >= 8, output(plain))
    for (const [title, messages] of expected) {
      if (messages.length === 0) continue
      assert.deepEqual(frames(actual.get(title)?.[0] ?? ''), frames(messages[0]), title)
    }
    // async-debug's own failure of the unhandled rejection is at the line that rejected.
    if (runner === 'vitest') assert.match(actual.get('leaves a rejection unhandled')?.join('\n') ?? '', /left a promise rejection unhandled[\s\S]*\n\s+at \S*stacks\.test\.js:35:18/)
  })
}

// Run from the repo, where Jest shows the frames of a linked async-debug that it hides under node_modules.
test("jest: process.exit() in a test prints where it was called, with the plain run's frames", onlyFor('jest'), () => {
  const printed = (environment) => {
    const { output } = runJest('shared/stacks-exit', { config: { testEnvironment: environment } })
    return output.split('process.exit called with')[1]?.split('\n').filter((line) => /^\s+at /.test(line)) ?? []
  }
  const plain = printed('node')
  assert.ok(plain.length > 0)
  assert.deepEqual(printed('async-debug'), plain)
})
