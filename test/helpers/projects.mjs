// Runner versions other than the repo's own. Each is a small project under test/.work/projects,
// installed from the npm registry, into which the built package is copied as a user would install
// it (copies, not links: a link would resolve the runner from the repo's node_modules) and the
// fixtures are copied, so that everything a run resolves comes from that project.
// The variables ASYNC_DEBUG_JEST and ASYNC_DEBUG_VITEST pick one (test/versions.mjs sets them).
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const work = join(repo, 'test', '.work', 'projects')

/** What each project installs, by runner and version as the variables name them. */
export const projects = {
  'jest@29': ['jest@29.7.0', 'jest-environment-node@29.7.0', 'jest-environment-jsdom@29.7.0', '@happy-dom/jest-environment@20', 'ts-jest@29.4.5', 'babel-jest@29.7.0', '@babel/preset-typescript@7', '@babel/plugin-transform-modules-commonjs@7', 'typescript@5', 'jest-junit@17'],
  'vitest@3.2': ['vitest@3.2.4', 'jsdom@26', 'happy-dom@20'],
  'vitest@5': ['vitest@5', 'jsdom@26', 'happy-dom@20'],
}

/**
 * Where `runner` comes from in this process: the repo itself, or another version's project.
 * @returns {{ root: string, fixtures: string, asyncDebug: string }} the folder holding its node_modules, the
 *   fixtures' folder, and the async-debug package's folder
 */
export function runnerHome(runner) {
  const version = process.env[runner === 'jest' ? 'ASYNC_DEBUG_JEST' : 'ASYNC_DEBUG_VITEST']
  if (!version) return { root: repo, fixtures: join(repo, 'test', 'fixtures'), asyncDebug: repo }
  const key = `${runner}@${version}`
  const root = join(work, key)
  if (!projects[key]) throw new Error(`no test project for ${key}; there are: ${Object.keys(projects).join(', ')}`)
  if (!existsSync(join(root, 'fixtures'))) throw new Error(`${root} is not prepared: run \`node test/versions.mjs --prepare ${key}\``)
  return { root, fixtures: join(root, 'fixtures'), asyncDebug: join(root, 'node_modules', 'async-debug') }
}

/** Installs project `key` (once), then copies the built package and the fixtures into it (every time). */
export function prepareProject(key) {
  const dir = join(work, key)
  const wanted = JSON.stringify(projects[key])
  const marker = join(dir, 'node_modules', '.async-debug-installed')
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== wanted) {
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: `async-debug-test-${key.replace('@', '-')}`, private: true }, null, 2)}\n`)
    const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...projects[key]], { cwd: dir, encoding: 'utf8', shell: process.platform === 'win32' })
    if (npm.status !== 0) throw new Error(`npm install in ${dir} failed:\n${npm.stdout}${npm.stderr}`)
    writeFileSync(marker, wanted)
  }
  copyPackages(join(dir, 'node_modules'))
  rmSync(join(dir, 'fixtures'), { recursive: true, force: true })
  cpSync(join(repo, 'test', 'fixtures'), join(dir, 'fixtures'), { recursive: true, filter: (path) => !path.includes(`${join('node_modules', '.vite')}`) })
  // In the repo, the fixtures are ES modules by the root package's "type".
  writeFileSync(join(dir, 'fixtures', 'package.json'), '{ "type": "module" }\n')
  return dir
}

// The built package and its shims, copied into `nodeModules` as a user's install has them.
function copyPackages(nodeModules) {
  const packages = [['async-debug', repo], ...readdirSync(join(repo, 'packages')).map((name) => [name, join(repo, 'packages', name)])]
  for (const [name, from] of packages) {
    const to = join(nodeModules, name)
    rmSync(to, { recursive: true, force: true })
    const manifest = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8'))
    for (const entry of ['package.json', 'LICENSE', ...manifest.files]) cpSync(join(from, entry), join(to, entry), { recursive: true })
  }
}

/**
 * A project in a new temporary folder with `runner` (this process's version) and the built package
 * installed as a user has it, under node_modules, where the runners treat it as a dependency (in the
 * repo it is the root package, which Vitest inlines), and with the files of `fixture` (under
 * test/fixtures/shared). The caller removes it.
 * @returns {string} its folder
 */
export function installedProject(runner, fixture) {
  const dir = mkdtempSync(join(tmpdir(), `async-debug-installed-${runner}-`))
  const nodeModules = join(dir, 'node_modules')
  mkdirSync(nodeModules)
  const from = join(runnerHome(runner).root, 'node_modules')
  const ours = new Set(['async-debug', ...readdirSync(join(repo, 'packages'))])
  for (const name of readdirSync(from)) if (!ours.has(name) && !name.startsWith('.')) symlinkSync(join(from, name), join(nodeModules, name))
  copyPackages(nodeModules)
  cpSync(join(repo, 'test', 'fixtures', 'shared', fixture), dir, { recursive: true, filter: (path) => !path.includes('node_modules') })
  writeFileSync(join(dir, 'package.json'), '{ "private": true, "type": "module" }\n')
  return dir
}

