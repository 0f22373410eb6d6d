// Runs the whole leak zoo in one run of each runner (default workers), several times over, and
// prints every verdict that differs between runs: a verdict must not depend on timing or load.
// usage: node scripts/zoo-determinism.mjs --workdir DIR [--runs 10] [--tools vitest-ad,jest-ad]
// DIR is a zoo work dir that ../shared/zoo/run.mjs --project . prepared (runners, package, cases).
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'

const { values } = parseArgs({ options: { workdir: { type: 'string' }, runs: { type: 'string', default: '10' }, tools: { type: 'string', default: 'vitest-ad,jest-ad' } } })
if (!values.workdir) throw new TypeError('zoo-determinism: --workdir DIR is required (a work dir of ../shared/zoo/run.mjs --project .)')
const workdir = resolve(values.workdir)
const runs = Number(values.runs)
const out = join(workdir, 'determinism.json')

const commands = {
  'vitest-ad': ['node_modules/vitest/vitest.mjs', 'run', '--config', 'vitest.ad.config.mjs', '--reporter=json', `--outputFile.json=${out}`],
  'jest-ad': ['node_modules/jest/bin/jest.js', '--config', 'jest.ad.config.cjs', '--json', `--outputFile=${out}`],
}

// Each test's status, and each file's message when it failed as a whole, by file.
function verdicts() {
  const report = JSON.parse(readFileSync(out, 'utf8'))
  const seen = new Map()
  for (const file of report.testResults ?? []) {
    const name = basename(file.name)
    if (file.message) seen.set(`${name} <file>`, 'failed')
    for (const test of file.assertionResults ?? []) seen.set(`${name} > ${test.title}`, test.status)
  }
  return seen
}

let differing = 0
for (const tool of values.tools.split(',')) {
  const all = []
  for (let r = 0; r < runs; r++) {
    rmSync(out, { force: true })
    const started = performance.now()
    spawnSync(process.execPath, commands[tool], { cwd: workdir, encoding: 'utf8', timeout: 600_000, killSignal: 'SIGKILL', env: { ...process.env, CI: 'true', FORCE_COLOR: '0' } })
    all.push(verdicts())
    process.stderr.write(`${tool} run ${r + 1}: ${((performance.now() - started) / 1000).toFixed(1)} s, ${all.at(-1).size} verdicts\n`)
  }
  const keys = new Set(all.flatMap((seen) => [...seen.keys()]))
  const unstable = [...keys].filter((key) => new Set(all.map((seen) => seen.get(key) ?? 'absent')).size > 1)
  differing += unstable.length
  console.log(`${tool}: ${keys.size} verdicts, ${runs} runs, ${unstable.length} differing`)
  for (const key of unstable) console.log(`  ${key}: ${all.map((seen) => seen.get(key) ?? 'absent').join(' ')}`)
}
process.exitCode = differing === 0 ? 0 : 1
