import { isAbsolute, relative } from 'node:path'
import { BREAK_VARIABLE } from '../core/break-at.js'
import { locationOf, userFrames } from '../core/frames.js'
import type { Site } from '../core/site.js'

/** What reruns one test in the debugger: the runner in use, its test file, and the test's name as its `-t` matches it. */
export interface Rerun {
  readonly runner: 'vitest' | 'jest'
  /** The test file, as the runner names it (from the folder it runs in). */
  readonly file: string
  /** A pattern for the test's full name, for `-t`; undefined for what is not a test's (a file's or suite's scope). */
  readonly test: string | undefined
}

/** `text` escaped for a RegExp: a test's name as a `-t` pattern. */
export const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

// Jest runs ES modules only with Node's vm modules, which its users turn on in NODE_OPTIONS: the rerun needs them too.
const esmFlag = (): string[] => {
  const flag = '--experimental-vm-modules'
  return process.execArgv.includes(flag) || (process.env.NODE_OPTIONS ?? '').split(/\s+/).includes(flag) ? [flag] : []
}

// One word for a POSIX shell: quoted unless it is plain.
const quote = (word: string): string => (/^[\w./:=@-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`)

/** `file:line` of the user's line of `site`, from the folder the runner runs in, for ASYNC_DEBUG_BREAK. */
export function breakSiteOf(site: Site | undefined, root = process.cwd()): string | undefined {
  const frame = userFrames(site)[0]
  const location = frame === undefined ? undefined : /^(.*):(\d+):\d+$/.exec(locationOf(frame))
  if (!location) return undefined
  const [, path, line] = location as unknown as [string, string, string]
  return `${isAbsolute(path) ? relative(root, path) : path}:${line}`
}

/**
 * The line that a failure ends with: the command that reruns just its test with the inspector
 * waiting, stopping where `site` (its first finding, or what was thrown) was created, if known.
 */
export function rerunLine(rerun: Rerun | undefined, site: Site | undefined): string {
  if (rerun === undefined) return ''
  const at = breakSiteOf(site)
  const variable = at === undefined ? [] : [`${BREAK_VARIABLE}=${quote(at)}`]
  const filter = rerun.test === undefined ? [] : ['-t', quote(rerun.test)]
  const command =
    rerun.runner === 'vitest'
      ? ['npx', 'vitest', 'run', '--inspect-brk', '--no-file-parallelism', quote(rerun.file), ...filter]
      : ['node', ...esmFlag(), '--inspect-brk', 'node_modules/.bin/jest', '-i', quote(rerun.file), ...filter]
  return `\n\nDebug it: ${[...variable, ...command].join(' ')}`
}
