// Runs the integration tests again on the runner versions that the repo's own devDependencies do not
// have, each in a project of its own (helpers/projects.mjs): every test file of that runner.
// usage: node test/versions.mjs [--prepare] [KEY ...]   (KEY as in helpers/projects.mjs: jest@29, vitest@3.2, vitest@5)
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { prepareProject, projects, repo } from './helpers/projects.mjs'

// The integration tests that run on either runner, and each runner's own.
const shared = ['allowed', 'api', 'baseline', 'ci-reporters', 'clean', 'dependencies', 'diagnostics', 'dom', 'fake-timers', 'html', 'import-error', 'interference', 'json-report', 'leaks', 'mistakes', 'options', 'ownership', 'promises', 'report-mode', 'retries', 'scopes', 'stacks', 'trace', 'typescript', 'web']
const jestOwn = ['jest', 'jest-cold-cache']
const vitestOwn = ['vitest-annotations', 'vitest-around', 'vitest-describe-concurrent', 'vitest-fixtures', 'vitest-pools']

/** Per project: the variable that selects it, the Node that runs it, and the test files. */
const runs = {
  'jest@29': { env: { ASYNC_DEBUG_JEST: '29' }, files: [...shared, ...jestOwn] },
  'vitest@3.2': { env: { ASYNC_DEBUG_VITEST: '3.2' }, files: [...shared, ...vitestOwn] },
  // Vitest 5 needs Node 22.12 or later.
  'vitest@5': { env: { ASYNC_DEBUG_VITEST: '5' }, node: '22', files: [...shared, ...vitestOwn] },
}

const args = process.argv.slice(2)
const prepareOnly = args.includes('--prepare')
const keys = args.filter((a) => !a.startsWith('--'))
let failed = false
for (const key of keys.length ? keys : Object.keys(runs)) {
  if (!projects[key] || !runs[key]) throw new Error(`unknown project ${key}; known: ${Object.keys(runs).join(', ')}`)
  process.stdout.write(`\n# ${key}: preparing\n`)
  prepareProject(key)
  if (prepareOnly) continue
  const { env, node, files } = runs[key]
  const command = node ? ['npx', ['-y', '-p', `node@${node}`, 'node']] : [process.execPath, []]
  const run = spawnSync(command[0], [...command[1], '--test', '--test-concurrency=2', ...files.map((f) => join('test', `${f}.test.mjs`))], { cwd: repo, stdio: 'inherit', env: { ...process.env, ...env } })
  if (run.status !== 0) failed = true
}
process.exitCode = failed ? 1 : 0
