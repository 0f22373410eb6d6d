// Runs the real Vitest as a child process on a fixture project and reads its JSON report.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { runnerHome } from './projects.mjs'
import { serialize } from './serialize.mjs'
import { spawnRunner } from './spawn-runner.mjs'

// The repo's own Vitest, or another version's project (ASYNC_DEBUG_VITEST).
const home = runnerHome('vitest')
export const { fixtures } = home
export const vitestBin = join(home.root, 'node_modules', 'vitest', 'vitest.mjs')
/** The version of the Vitest that the tests run, as [major, minor]. */
export const vitestVersion = JSON.parse(readFileSync(join(home.root, 'node_modules', 'vitest', 'package.json'), 'utf8')).version.split('.').map(Number)
export const vitestMajor = vitestVersion[0]

/**
 * @param {string} fixture folder under test/fixtures/shared (ESM fixtures that both runners run), a project's absolute path, or a path
 *   under test/fixtures such as `vitest/fixtures`
 * @param {{ test?: object, plugin?: object, files?: string[], args?: string[], timeout?: number }} [options]
 *   `test`: Vitest's `test` config, merged over `{ environment: 'async-debug', globals: true }`.
 *   `plugin`: use the `asyncDebug(plugin)` Vitest plugin instead of the one-line environment.
 */
export function runVitest(fixture, { test = {}, plugin, files = [], args = [], timeout = 60_000 } = {}) {
  const work = mkdtempSync(join(tmpdir(), 'async-debug-vitest-'))
  try {
    const root = isAbsolute(fixture) ? fixture : join(fixtures, fixture.includes('/') ? fixture : join('shared', fixture))
    const configFile = join(work, 'vitest.config.mjs')
    writeFileSync(configFile, configSource(root, test, plugin))
    const outputFile = join(work, 'report.json')
    const { run, report } = spawnRunner([vitestBin, 'run', '--config', configFile, '--reporter=default', '--reporter=json', `--outputFile.json=${outputFile}`, ...args, ...files], { cwd: root, timeout, reportFile: outputFile, env: { CI: 'true' } })
    return result(run, report)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

function configSource(root, test, plugin) {
  if (plugin === undefined) return `export default ${serialize({ root, test: { environment: 'async-debug', globals: true, ...test } })}\n`
  const entry = pathToFileURL(join(home.asyncDebug, 'dist', 'vitest.js')).href
  return `import { asyncDebug } from ${JSON.stringify(entry)}\nexport default { root: ${JSON.stringify(root)}, plugins: [asyncDebug(${serialize(plugin)})], test: ${serialize({ globals: true, ...test })} }\n`
}

function result(run, report) {
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`
  /** @type {Map<string, { status: string, message: string }>} title -> result */
  const tests = new Map()
  const fileErrors = []
  for (const file of report?.testResults ?? []) {
    if (file.message) fileErrors.push(file.message)
    for (const a of file.assertionResults ?? []) tests.set(a.title, { status: a.status, message: (a.failureMessages ?? []).join('\n') })
  }
  // Vitest says so when a handle keeps its process from exiting.
  const hung = /close timed out|something prevents/i.test(output)
  return { exitCode: run.status, timedOut: run.error?.code === 'ETIMEDOUT', hung, output, report, tests, fileErrors }
}
