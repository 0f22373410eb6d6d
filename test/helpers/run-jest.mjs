// Runs the real Jest as a child process on a fixture project and reads its JSON report.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runnerHome } from './projects.mjs'
import { serialize } from './serialize.mjs'
import { spawnRunner } from './spawn-runner.mjs'

// The repo's own Jest, or another version's project (ASYNC_DEBUG_JEST).
const home = runnerHome('jest')
const { fixtures } = home
const jestBin = join(home.root, 'node_modules', 'jest', 'bin', 'jest.js')
/** The major version of the Jest that the tests run. */
export const jestMajor = Number(JSON.parse(readFileSync(join(home.root, 'node_modules', 'jest', 'package.json'), 'utf8')).version.split('.')[0])

/**
 * @param {string} fixture folder under test/fixtures, e.g. 'jest/commonjs', or 'shared/scopes' (ESM, run with vm modules)
 * @param {{ config?: object, args?: string[], files?: string[], esm?: boolean, timeout?: number, env?: Record<string, string> }} [options]
 *   `config`: Jest config merged over `{ testEnvironment: 'async-debug', transform: {} }`.
 *   `esm`: run Node with --experimental-vm-modules, as Jest needs for ESM test files (default: fixture is not under jest/).
 *   `env`: added to Jest's environment.
 */
export function runJest(fixture, { config = {}, args = [], files = [], esm = !fixture.startsWith('jest/'), timeout = 60_000, env = {} } = {}) {
  const work = mkdtempSync(join(tmpdir(), 'async-debug-jest-'))
  try {
    const rootDir = join(fixtures, fixture)
    const outputFile = join(work, 'report.json')
    const fullConfig = { rootDir, testEnvironment: 'async-debug', transform: {}, cacheDirectory: join(work, 'cache'), ...config }
    // A config file, not JSON on the command line, so that options can carry RegExps.
    const configFile = join(work, 'jest.config.cjs')
    writeFileSync(configFile, `module.exports = ${serialize(fullConfig)}\n`)
    const { run, report } = spawnRunner([jestBin, '--config', configFile, '--ci', '--json', `--outputFile=${outputFile}`, ...files, ...args], { cwd: rootDir, timeout, reportFile: outputFile, env: { NODE_OPTIONS: esm ? '--experimental-vm-modules --disable-warning=ExperimentalWarning' : '', ...env } })
    return result(run, report)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

function result(run, report) {
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`
  /** @type {Map<string, { status: string, message: string }>} title -> result */
  const tests = new Map()
  // Errors of a file rather than of a test: Jest prints each under "Test suite failed to run".
  const fileErrors = []
  for (const file of report?.testResults ?? []) {
    for (const section of (file.message ?? '').split('● Test suite failed to run').slice(1))
      fileErrors.push(section.replace(/^\s+/, '').replace(/^ {4}/gm, '').replace(/^\w+Error: /, ''))
    for (const a of file.assertionResults ?? []) tests.set(a.title, { status: a.status, message: (a.failureMessages ?? []).join('\n') })
  }
  const hung = /did not exit one second|failed to exit gracefully/.test(output)
  return { exitCode: run.status, timedOut: run.error?.code === 'ETIMEDOUT', hung, output, report, tests, fileErrors }
}
