// `npm test` after the build: the main run (the lockfile's Vitest and Jest, and the core), then the
// other runner versions (test/versions.mjs) whatever the main run's result, so that one failure does
// not hide the rest. Fails if either failed, and says which.
import { spawnSync } from 'node:child_process'

const run = (args) => spawnSync(process.execPath, args, { stdio: 'inherit' }).status === 0
const main = run(['--test', '--test-concurrency=2', ...process.argv.slice(2)])
const versions = run(['test/versions.mjs'])
const said = (ok) => (ok ? 'passed' : 'FAILED')
process.stdout.write(`\nnpm test: main run ${said(main)}; other runner versions ${said(versions)}\n`)
process.exitCode = main && versions ? 0 : 1
