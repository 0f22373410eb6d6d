// Runs each example project's tests as a user would and checks that async-debug caught every
// deliberate leak (tests named "leaks: ...") and failed nothing else. Exits 0 only then.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')
const DELIBERATE = /^leaks: /
const CAUGHT = /^(AsyncLeakError|AsyncTaskError): /

// Each example's runner, asked for a JSON report; Jest needs vm modules for ESM test files.
const examples = {
  vitest: { args: (report) => [join(repo, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=json', `--outputFile=${report}`] },
  jest: {
    args: (report) => [join(repo, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', '--json', `--outputFile=${report}`],
    env: { NODE_OPTIONS: '--experimental-vm-modules --disable-warning=ExperimentalWarning' },
  },
}

let ok = true
for (const [name, { args, env }] of Object.entries(examples)) {
  const work = mkdtempSync(join(tmpdir(), 'async-debug-demo-'))
  const report = join(work, 'report.json')
  const run = spawnSync(process.execPath, args(report), { cwd: join(repo, 'examples', name), encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } })
  let results
  try {
    results = JSON.parse(readFileSync(report, 'utf8')).testResults.flatMap((file) => file.assertionResults)
  } catch {
    console.error(`examples/${name}: no report (exit ${run.status})\n${run.stdout}${run.stderr}`)
    ok = false
    continue
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  console.log(`examples/${name}`)
  for (const { title, status, failureMessages } of results) {
    const message = failureMessages.join('\n')
    const deliberate = DELIBERATE.test(title)
    const caught = status === 'failed' && CAUGHT.test(message)
    const expected = deliberate ? caught : status === 'passed'
    ok &&= expected
    const verdict = deliberate ? (caught ? 'caught' : 'MISSED') : status === 'passed' ? 'passed' : 'UNEXPECTED FAILURE'
    console.log(`  ${expected ? '✓' : '✗'} ${title}: ${verdict}`)
    if (message && (caught || !expected)) console.log(`      ${message.split('\n').slice(0, 3).filter(Boolean).join('\n      ')}`)
  }
}
console.log(ok ? '\nEvery deliberate leak was caught, and nothing else failed.' : '\nThe demo did not go as expected (see ✗ above).')
process.exit(ok ? 0 : 1)
