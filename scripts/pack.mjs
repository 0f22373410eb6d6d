// Writes the tarballs of async-debug and of its name shims, as a build from a checkout or a CI artifact
// has them, and prints the command that installs them with each package manager.
// usage: node scripts/pack.mjs [OUT_DIR]   (after `npm run build`; default OUT_DIR: .pack)
//
// The packed async-debug does not depend on the shims. They are not on the registry, and pnpm and yarn
// look a tarball's dependencies up there even when the same command installs them from tarballs (npm
// alone matches them). Each command installs the shims as the project's own dependencies instead: that
// is also where the runners look for them, which pnpm's strict layout needs.
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')
const shimDirs = readdirSync(join(repo, 'packages')).map((name) => join(repo, 'packages', name))

/**
 * Packs async-debug and the shims into `outDir`, emptied first.
 * @returns {{ name: string, tarball: string, files: string[] }[]} async-debug first
 */
export function pack(outDir) {
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  return [packRoot(outDir), ...shimDirs.map((dir) => npmPack(dir, outDir))]
}

/** The command that adds `tarballs` to the project in the current folder, by client, as [command, ...args]. */
export function installCommands(tarballs) {
  return {
    npm: ['npm', 'install', '--save-dev', ...tarballs],
    pnpm: ['pnpm', 'add', '--save-dev', ...tarballs],
    yarn: ['yarn', 'add', '--dev', ...tarballs],
  }
}

// The files that `npm pack` would take, with a manifest that leaves out the shims and what only the
// checkout uses (yarn refuses `workspaces` in a package that is not private), packed from a copy.
function packRoot(outDir) {
  const stage = mkdtempSync(join(tmpdir(), 'async-debug-pack-'))
  try {
    for (const file of npmPack(repo, outDir, ['--dry-run']).files) {
      mkdirSync(dirname(join(stage, file)), { recursive: true })
      copyFileSync(join(repo, file), join(stage, file))
    }
    const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'))
    for (const dir of shimDirs) delete manifest.dependencies[JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name]
    if (Object.keys(manifest.dependencies).length === 0) delete manifest.dependencies
    for (const key of ['workspaces', 'scripts', 'devDependencies']) delete manifest[key]
    writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
    return npmPack(stage, outDir)
  } finally {
    rmSync(stage, { recursive: true, force: true })
  }
}

function npmPack(cwd, outDir, args = []) {
  const run = spawnSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', outDir, ...args], { cwd, encoding: 'utf8', shell: process.platform === 'win32' })
  if (run.status !== 0) throw new Error(`npm pack in ${cwd} failed:\n${run.stdout}${run.stderr}`)
  const [packed] = JSON.parse(run.stdout)
  return { name: packed.name, tarball: join(outDir, packed.filename), files: packed.files.map((file) => file.path) }
}

function quote(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const outDir = resolve(process.argv[2] ?? join(repo, '.pack'))
  const packed = pack(outDir)
  console.log(`Wrote ${packed.map((p) => p.tarball).join(', ')}\n\nInstall them into your project, from its folder, with one of:\n`)
  for (const command of Object.values(installCommands(packed.map((p) => p.tarball)))) console.log(`  ${command.map(quote).join(' ')}`)
}
