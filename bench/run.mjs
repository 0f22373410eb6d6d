// npm run bench: wall time and peak memory of the synthetic suites under Vitest (forks) and Jest,
// plain, with async-debug, and with the runner's own leak detector; commands alternate run by run
// and only ratios taken side by side count. Prints the table and writes it to BENCHMARKS.md.
// Options: --runs N (plain and async-debug, default 5), --peer-runs N (default 1), --suites a,b.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { installAsUser } from './install.mjs'
import { FILES, TESTS, suiteNames, writeSuites } from './suites.mjs'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')
const work = join(repo, 'bench', '.work')
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, 'peer-runs': { type: 'string', default: '1' }, suites: { type: 'string', default: suiteNames.join(',') } } })
const runs = Number(values.runs)
const peerRuns = Number(values['peer-runs'])
const suites = values.suites.split(',')
for (const name of suites) if (!suiteNames.includes(name)) throw new TypeError(`bench: unknown suite '${name}', expected one of ${suiteNames.join(', ')}`)
if (!(runs >= 1 && peerRuns >= 0)) throw new TypeError('bench: --runs must be >= 1 and --peer-runs >= 0')

const major = Number(process.versions.node.split('.')[0])
// Issue 20's budgets: Node 20's per suite, and from Node 24 (no async_hooks on every promise) 1.10 at most.
const budget = Object.fromEntries(Object.entries({ light: 1.05, io: 1.15, web: 1.15, promises: 1.3 }).map(([suite, ratio]) => [suite, major >= 24 ? Math.min(ratio, 1.1) : ratio]))
const vitestBin = join(repo, 'node_modules', 'vitest', 'vitest.mjs')
const jestBin = join(repo, 'node_modules', 'jest', 'bin', 'jest.js')
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined
const PEER_TIMEOUT = 300_000

/** The command lines of one runner's variants on one suite, each writing its config first. */
const runners = {
  vitest: (suite) => {
    const root = join(work, suite, 'esm')
    const config = (environment) => {
      const file = join(work, `vitest.${suite}.${environment}.config.mjs`)
      writeFileSync(file, `export default ${JSON.stringify({ root, test: { environment, globals: true, pool: 'forks' } })}\n`)
      return [vitestBin, 'run', '--config', file, '--reporter=dot']
    }
    return { plain: config('node'), 'async-debug': config('async-debug'), peer: [...config('node'), '--detectAsyncLeaks'] }
  },
  jest: (suite) => {
    const rootDir = join(work, suite, 'cjs')
    const config = (testEnvironment) => {
      const file = join(work, `jest.${suite}.${testEnvironment}.config.json`)
      writeFileSync(file, JSON.stringify({ rootDir, testEnvironment, transform: {}, cacheDirectory: join(work, 'jest-cache') }))
      return [jestBin, '--config', file, '--ci', '--silent']
    }
    return { plain: config('node'), 'async-debug': config('async-debug'), peer: [...config('node'), '--detectOpenHandles'] }
  },
}

function measure(args, timeout) {
  const command = timeBin ? [timeBin, ['-f', 'BENCH %e %M', process.execPath, ...args]] : [process.execPath, args]
  const started = performance.now()
  const run = spawnSync(command[0], command[1], { encoding: 'utf8', timeout, killSignal: 'SIGKILL', env: { ...process.env, CI: 'true', FORCE_COLOR: '0' } })
  const wall = (performance.now() - started) / 1000
  const timed = /BENCH ([\d.]+) (\d+)/.exec(run.stderr ?? '')
  if (run.error?.code === 'ETIMEDOUT') return { timedOut: true, wall }
  // GNU time's %M: peak resident set of the largest process of the run, in KiB.
  return { wall: timed ? Number(timed[1]) : wall, memory: timed ? Number(timed[2]) / 1024 : undefined, exitCode: run.status, output: `${run.stdout}${run.stderr}` }
}

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted.length === 0 ? undefined : sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2
}

rmSync(work, { recursive: true, force: true })
mkdirSync(work, { recursive: true })
writeSuites(work)
installAsUser(work)

const rows = []
for (const suite of suites)
  for (const [runner, commands] of Object.entries(runners)) {
    const variants = commands(suite)
    const samples = { plain: [], 'async-debug': [], peer: [] }
    const failures = []
    for (let r = 0; r < runs; r++) {
      const names = Object.keys(variants).filter((name) => name !== 'peer' || r < peerRuns)
      // Rotate the order each round, so that no variant always runs on a warm or cold machine.
      for (const name of [...names.slice(r % names.length), ...names.slice(0, r % names.length)]) {
        const sample = measure(variants[name], name === 'peer' ? PEER_TIMEOUT : 120_000)
        samples[name].push(sample)
        if (name !== 'peer' && sample.exitCode !== 0) failures.push(`${name}: exit ${sample.exitCode}\n${sample.output?.slice(-2000)}`)
        process.stderr.write(`${suite} ${runner} ${name} ${sample.timedOut ? 'timed out' : `${sample.wall.toFixed(2)} s`}\n`)
      }
    }
    if (failures.length > 0) throw new Error(`bench: the ${suite} suite failed under ${runner}, which a clean suite must not:\n${failures.join('\n')}`)
    const wall = (name) => median(samples[name].filter((s) => !s.timedOut).map((s) => s.wall))
    const memory = (name) => median(samples[name].map((s) => s.memory).filter((m) => m !== undefined))
    rows.push({ suite, runner, plain: wall('plain'), ours: wall('async-debug'), peer: wall('peer'), peerTimedOut: samples.peer.some((s) => s.timedOut), plainMemory: memory('plain'), oursMemory: memory('async-debug') })
  }

const s = (x) => (x === undefined ? 'n/a' : `${x.toFixed(2)} s`)
const ratio = (x, base) => (x === undefined || base === undefined ? 'n/a' : (x / base).toFixed(2))
const mb = (x) => (x === undefined ? 'n/a' : `${Math.round(x)} MB`)
const peerName = { vitest: '--detectAsyncLeaks', jest: '--detectOpenHandles' }
const table = [
  '| suite | runner | plain | async-debug | ratio | budget | peer detector | peer ratio | peak memory plain | async-debug | ratio |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.suite} | ${r.runner} | ${s(r.plain)} | ${s(r.ours)} | **${ratio(r.ours, r.plain)}** | <= ${budget[r.suite].toFixed(2)} | ${r.peerTimedOut ? `> ${PEER_TIMEOUT / 1000} s` : s(r.peer)} (${peerName[r.runner]}) | ${r.peerTimedOut ? `> ${ratio(PEER_TIMEOUT / 1000, r.plain)}` : ratio(r.peer, r.plain)} | ${mb(r.plainMemory)} | ${mb(r.oursMemory)} | ${ratio(r.oursMemory, r.plainMemory)} |`,
  ),
].join('\n')

const read = (pkg) => JSON.parse(readFileSync(join(repo, 'node_modules', pkg, 'package.json'), 'utf8')).version
const setting = `Node ${process.versions.node}, Vitest ${read('vitest')} (forks pool), Jest ${read('jest')}; ${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB; ${FILES} files × ${TESTS} tests per suite; median of ${runs} alternated runs (peer detectors: ${peerRuns}); taken ${new Date().toISOString().slice(0, 10)}.`
console.log(`${setting}\n\n${table}`)

const file = join(repo, 'BENCHMARKS.md')
const previous = existsSync(file) ? readFileSync(file, 'utf8') : ''
// One section per Node major, so that a run on Node 24 stands beside the run on Node 20.
const START = `<!-- bench:node-${major}:start -->`
const END = `<!-- bench:node-${major}:end -->`
const section = `${START}\n${setting}\n\n${table}\n${END}`
const after = /<!-- bench:node-\d+:end -->(?![\s\S]*<!-- bench:node-\d+:end -->)/
writeFileSync(
  file,
  previous.includes(START)
    ? previous.replace(new RegExp(`${START}[\\s\\S]*${END}`), section)
    : after.test(previous)
      ? previous.replace(after, (last) => `${last}\n\n${section}`)
      : `# Benchmarks\n\n${section}\n${previous.replace(/^# Benchmarks\n\n/, '')}`,
)
console.log('\nWritten to BENCHMARKS.md.')
rmSync(work, { recursive: true, force: true })
