// npm run bench:scale: whether async-debug's cost stays flat as a run grows. Under Vitest (forks)
// and Jest (in band), plain and with async-debug:
// - a file of 5,000 tests, each with a timer, an immediate and a few promises: the CPU time per
//   test, window by window of 500, and the heap after a full GC at the end of each window;
// - a test that makes 1,000,000 promises and 100,000 timers, then one after it: the heap after a
//   full GC before and after, so that what the engine keeps of them shows.
// Prints a Markdown table. Options: --tests N (default 5000).
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { installAsUser } from './install.mjs'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')
const work = join(repo, 'bench', '.work-scale')
const { values } = parseArgs({ options: { tests: { type: 'string', default: '5000' } } })
const TESTS = Number(values.tests)
const WINDOW = 500
if (!(TESTS >= WINDOW * 2 && TESTS % WINDOW === 0)) throw new TypeError(`bench:scale: --tests must be a multiple of ${WINDOW}, at least ${WINDOW * 2}`)

// A full GC from inside a test, without a flag on the worker's command line.
const prelude = (format) => `${format === 'esm' ? "import v8 from 'node:v8'\nimport vm from 'node:vm'\nimport { appendFileSync } from 'node:fs'" : "const v8 = require('node:v8')\nconst vm = require('node:vm')\nconst { appendFileSync } = require('node:fs')"}
v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc')
const sample = (label) => {
  gc()
  const cpu = process.cpuUsage()
  appendFileSync(process.env.SCALE_SAMPLES, JSON.stringify({ label, heap: process.memoryUsage().heapUsed, cpu: cpu.user + cpu.system }) + '\\n')
}
`

const manyTests = `for (let i = 0; i < ${TESTS}; i++)
  test('test ' + i, async () => {
    if (i === 0) sample(0)
    clearTimeout(setTimeout(() => {}, 1000))
    await new Promise((resolve) => setImmediate(resolve))
    await Promise.all([1, 2, 3].map(async (n) => n * 2))
    if ((i + 1) % ${WINDOW} === 0) sample(i + 1)
  })
`

const bigTest = `test('before', () => sample('before'))

test('makes 1,000,000 promises and 100,000 timers', async () => {
  for (let round = 0; round < 10; round++) {
    const promises = []
    for (let i = 0; i < 50_000; i++) promises.push(Promise.resolve(i).then((n) => n + 1))
    await Promise.all(promises)
    const timers = []
    for (let i = 0; i < 10_000; i++) timers.push(setTimeout(() => {}, i % 2 ? 1 : 60_000))
    await new Promise((resolve) => setTimeout(resolve, 5))
    for (const timer of timers) clearTimeout(timer)
  }
}, 120_000)

test('after', () => sample('after'))
`

function writeProject() {
  rmSync(work, { recursive: true, force: true })
  for (const format of ['esm', 'cjs']) {
    const dir = join(work, format)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: format === 'esm' ? 'module' : 'commonjs' }))
    writeFileSync(join(dir, 'many.test.js'), `${prelude(format)}\n${manyTests}`)
    writeFileSync(join(dir, 'big.test.js'), `${prelude(format)}\n${bigTest}`)
  }
  installAsUser(work)
}

const commands = {
  vitest: (environment, file) => {
    const config = join(work, `vitest.${environment}.config.mjs`)
    writeFileSync(config, `export default ${JSON.stringify({ root: join(work, 'esm'), test: { environment, globals: true, pool: 'forks', testTimeout: 120_000 } })}\n`)
    return [join(repo, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', config, '--reporter=dot', file]
  },
  jest: (environment, file) => {
    const config = join(work, `jest.${environment}.config.json`)
    writeFileSync(config, JSON.stringify({ rootDir: join(work, 'cjs'), testEnvironment: environment, transform: {}, cacheDirectory: join(work, 'jest-cache') }))
    return [join(repo, 'node_modules', 'jest', 'bin', 'jest.js'), '--config', config, '--ci', '--silent', '-i', file]
  },
}

function samplesOf(runner, environment, file) {
  const samples = join(work, 'samples.jsonl')
  rmSync(samples, { force: true })
  const run = spawnSync(process.execPath, commands[runner](environment, file), { encoding: 'utf8', timeout: 600_000, env: { ...process.env, CI: 'true', FORCE_COLOR: '0', SCALE_SAMPLES: samples } })
  if (run.status !== 0) throw new Error(`bench:scale: ${file} failed under ${runner} (${environment}):\n${`${run.stdout}${run.stderr}`.slice(-3000)}`)
  return readFileSync(samples, 'utf8').trim().split('\n').map((line) => JSON.parse(line))
}

const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`
const us = (x) => `${Math.round(x)} µs`
writeProject()
const rows = []
for (const runner of Object.keys(commands))
  for (const environment of ['node', 'async-debug']) {
    const many = samplesOf(runner, environment, 'many.test.js')
    // CPU per test in each window of 500 tests.
    const perTest = many.slice(1).map((s, i) => (s.cpu - many[i].cpu) / WINDOW)
    const [before, after] = samplesOf(runner, environment, 'big.test.js')
    rows.push({ runner, environment, perTest, heaps: many.slice(1).map((s) => s.heap), big: after.heap - before.heap })
    process.stderr.write(`${runner} ${environment}: done\n`)
  }

const windows = TESTS / WINDOW
const table = [
  `| runner | environment | CPU per test, tests 1-${WINDOW} | tests ${TESTS - WINDOW + 1}-${TESTS} | heap after ${WINDOW} tests | after ${TESTS} | heap kept by 1M promises + 100k timers |`,
  '|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.runner} | ${r.environment} | ${us(r.perTest[0])} | ${us(r.perTest[windows - 1])} | ${mb(r.heaps[0])} | ${mb(r.heaps[windows - 1])} | ${mb(r.big)} |`),
].join('\n')
console.log(`Node ${process.versions.node}; ${TESTS} tests in one file, CPU time of the worker per test by windows of ${WINDOW}; heaps after a full GC.\n\n${table}`)
console.log(`\nCPU per test by window:\n${rows.map((r) => `${r.runner} ${r.environment}: ${r.perTest.map((x) => Math.round(x)).join(', ')} µs`).join('\n')}`)
rmSync(work, { recursive: true, force: true })
