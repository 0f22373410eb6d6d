// A build from a checkout, as a user installs it: the tarballs of `npm run pack` (scripts/pack.mjs),
// added with the command it prints by the real npm, pnpm and yarn into a fresh project with Vitest and
// Jest from the registry. Both runners must find the environment by its one-line name and fail the
// test that leaks an interval.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { installCommands, pack } from '../scripts/pack.mjs'
import { repo } from './helpers/projects.mjs'

/** How each client is run: this machine's npm; pnpm 10 and yarn 1 from the registry. */
const clients = {
  npm: { command: ['npm'], flags: ['--prefer-offline', '--no-audit', '--no-fund'] },
  pnpm: { command: ['npx', '-y', 'pnpm@10'], flags: ['--prefer-offline'] },
  // Not --prefer-offline: with it, yarn 1 takes a registry dependency from its cache when an earlier
  // install of a tarball put the same name and version there, and would find the shims that way.
  // Two installs at once corrupt yarn 1's shared cache (two `npm test`s on one machine): its mutex
  // makes them take turns.
  yarn: { command: ['npx', '-y', 'yarn@1'], flags: ['--non-interactive', '--mutex', `file:${join(tmpdir(), 'async-debug-yarn.mutex')}`] },
}

// The runner versions of the repo's own tests.
const version = (name) => JSON.parse(readFileSync(join(repo, 'node_modules', name, 'package.json'), 'utf8')).version
const runners = Object.fromEntries(['vitest', 'jest', 'jest-environment-node'].map((name) => [name, version(name)]))

// As in the user's shell: without the npm_* variables of the `npm test` that runs this file, which all
// three clients read as configuration (their .npmrc files still apply).
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm_|INIT_CWD$)/i.test(key)))

const testFile = `test('leaks an interval', () => {
  setInterval(() => {}, 1000)
})

test('clears its interval', () => {
  clearInterval(setInterval(() => {}, 1000))
})
`

let work
let tarballs
before(() => {
  work = mkdtempSync(join(tmpdir(), 'async-debug-install-'))
  tarballs = pack(join(work, 'pack')).map((packed) => packed.tarball)
})
after(() => rmSync(work, { recursive: true, force: true }))

describe('the packed tarballs, installed with the command that `npm run pack` prints', { concurrency: true }, () => {
  for (const [client, { command, flags }] of Object.entries(clients)) {
    it(`${client}: both runners resolve the one-line environment and fail the test that leaks`, { timeout: 600_000 }, async () => {
      const project = join(work, client)
      mkdirSync(project)
      writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: `install-${client}`, private: true, devDependencies: runners }, null, 2)}\n`)
      writeFileSync(join(project, 'leak.test.js'), testFile)
      writeFileSync(join(project, 'vitest.config.mjs'), "export default { test: { environment: 'async-debug', globals: true } }\n")
      writeFileSync(join(project, 'jest.config.cjs'), "module.exports = { testEnvironment: 'async-debug' }\n")

      const [, ...args] = installCommands(tarballs)[client]
      const install = await run(command[0], [...command.slice(1), ...args, ...flags], project, 300_000)
      assert.equal(install.code, 0, install.output)

      const vitest = await report(project, 'vitest', ['node_modules/vitest/vitest.mjs', 'run', '--reporter=json'])
      const jest = await report(project, 'jest', ['node_modules/jest/bin/jest.js', '--ci', `--cacheDirectory=${join(project, '.jest-cache')}`, '--json'])
      for (const [runner, results] of [['vitest', vitest], ['jest', jest]]) {
        assert.equal(results.get('leaks an interval')?.status, 'failed', `${runner}: ${JSON.stringify([...results])}`)
        assert.match(results.get('leaks an interval').message, /AsyncLeakError: test "leaks an interval" left 1 async resource alive[\s\S]*setInterval every 1000 ms/, runner)
        assert.equal(results.get('clears its interval')?.status, 'passed', `${runner}: ${results.get('clears its interval')?.message}`)
      }
    })
  }
})

/** Runs a runner's CLI in `project` and reads its JSON report: test title -> { status, message }. */
async function report(project, runner, args) {
  const outputFile = join(project, `${runner}-report.json`)
  const { output } = await run(process.execPath, [...args, `--outputFile=${outputFile}`], project, 120_000)
  let json
  try {
    json = JSON.parse(readFileSync(outputFile, 'utf8'))
  } catch {
    assert.fail(`no report from ${runner}:\n${output}`)
  }
  return new Map(json.testResults.flatMap((file) => file.assertionResults.map((a) => [a.title, { status: a.status, message: a.failureMessages.join('\n') }])))
}

/** Runs a command to completion; never rejects: `code` is its exit status (or why it has none). */
function run(file, args, cwd, timeout) {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env: { ...env, FORCE_COLOR: '0', CI: 'true' }, encoding: 'utf8', timeout, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024, shell: process.platform === 'win32' }, (error, stdout, stderr) => {
      resolve({ code: error ? (error.code ?? error.signal) : 0, output: `${file} ${args.join(' ')}\n${stdout}${stderr}` })
    })
  })
}
