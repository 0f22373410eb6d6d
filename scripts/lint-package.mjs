// npm run lint:package: publint and arethetypeswrong on the packed package. attw packs into a
// folder of its own, not the checkout, so that two runs at once do not delete each other's tarball.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')
const run = (command, args) => spawnSync(command, args, { cwd: repo, stdio: 'inherit', shell: process.platform === 'win32' }).status === 0
const work = mkdtempSync(join(tmpdir(), 'async-debug-lint-'))
try {
  const packed = spawnSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: repo, encoding: 'utf8' })
  if (packed.status !== 0) throw new Error(`npm pack failed:\n${packed.stdout}${packed.stderr}`)
  const tarball = join(work, JSON.parse(packed.stdout)[0].filename)
  // The setup file is ESM only: Vitest imports it; attw's node16 CommonJS check does not apply.
  const ok = run('npx', ['publint', '--strict']) && run('npx', ['attw', tarball, '--profile', 'node16', '--exclude-entrypoints', './vitest/setup'])
  process.exitCode = ok ? 0 : 1
} finally {
  rmSync(work, { recursive: true, force: true })
}
