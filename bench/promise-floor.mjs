// npm run bench:floor: what one promise costs in a test's code, plain, at the floor that tracking
// promises per test has on this Node line, and with async-debug's engine, without a runner. Each
// variant runs the bench's promise suite body (~2,200 async calls a test) in 50 test scopes, in a
// process of its own, alternated; user + system CPU time, median of --runs (default 7).
// The floor: before Node 24, any AsyncLocalStorage and any async_hooks init hook make Node call
// into JavaScript for every promise of the process (what async-debug needs to know a promise's
// test); from Node 24, AsyncLocalStorage costs nothing per promise and one v8.promiseHooks init
// hook does.
import { execFileSync, spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')
const work = join(repo, 'bench', '.work-floor')
const TESTS = 50
const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, variant: { type: 'string' } } })
const runs = Number(values.runs)
if (!(runs >= 1)) throw new TypeError('bench:floor: --runs must be >= 1')

async function leaf(n) {
  return n + 1
}
async function twoLevels(n) {
  return (await leaf(n)) * 2
}
async function body() {
  let sum = 0
  for (let k = 0; k < 2000; k++) sum += await twoLevels(k)
  const all = await Promise.all(Array.from({ length: 200 }, (_, k) => twoLevels(k)))
  return sum + all.length
}

/** One variant, in this process: prints its CPU time in ms and the promises made. */
async function child(variant) {
  const { AsyncLocalStorage, createHook } = await import('node:async_hooks')
  const { promiseHooks } = await import('node:v8')
  let promises = 0
  let run = (fn) => fn()
  if (variant === 'floor') {
    const storage = new AsyncLocalStorage()
    const count = () => void promises++
    if (Number(process.versions.node.split('.')[0]) >= 24) promiseHooks.onInit(() => void (storage.getStore() && count()))
    else createHook({ init: (_id, type) => void (type === 'PROMISE' && storage.getStore() && count()) }).enable()
    run = (fn) => storage.run({}, fn)
  }
  let engine
  let file
  if (variant === 'async-debug') {
    const { Engine } = await import(pathToFileURL(join(work, 'src', 'core', 'engine.js')).href)
    const { resolveOptions } = await import(pathToFileURL(join(work, 'src', 'core', 'options.js')).href)
    engine = new Engine(resolveOptions({})).enable()
    file = engine.open('file', 'floor')
  }
  await body() // warm up: compiled before the clock starts
  const started = process.cpuUsage()
  for (let i = 0; i < TESTS; i++) {
    if (engine === undefined) await run(body)
    else {
      const scope = engine.open('test', `test ${i}`, file)
      await engine.run(scope, body)
      await engine.close(scope)
    }
  }
  const { user, system } = process.cpuUsage(started)
  engine?.disable()
  console.log(JSON.stringify({ ms: (user + system) / 1000, promises }))
}

if (values.variant) await child(values.variant)
else {
  rmSync(work, { recursive: true, force: true })
  execFileSync(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '--outDir', join(work, 'src'), '--declaration', 'false'], { cwd: repo, stdio: 'inherit' })
  const variants = ['plain', 'floor', 'async-debug']
  const samples = Object.fromEntries(variants.map((name) => [name, []]))
  let promises = 0
  for (let r = 0; r < runs; r++)
    for (const name of [...variants.slice(r % 3), ...variants.slice(0, r % 3)]) {
      const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--variant', name], { encoding: 'utf8' })
      if (run.status !== 0) throw new Error(`bench:floor: ${name} failed:\n${run.stderr}`)
      const result = JSON.parse(run.stdout)
      samples[name].push(result.ms)
      promises = Math.max(promises, result.promises)
    }
  rmSync(work, { recursive: true, force: true })
  const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1]
  const plain = median(samples.plain)
  const ns = (ms) => ((ms * 1e6) / promises).toFixed(0)
  console.log(`Node ${process.versions.node}; ${TESTS} tests, ${promises} promises; CPU time, median of ${runs} alternated runs.\n`)
  console.log('| variant | CPU | per promise | ratio |\n|---|---|---|---|')
  for (const name of variants) console.log(`| ${name} | ${median(samples[name]).toFixed(0)} ms | ${ns(median(samples[name]))} ns | ${(median(samples[name]) / plain).toFixed(2)} |`)
}
