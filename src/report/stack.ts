import { dirname } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { type Site, siteStacks } from '../core/tracked.js'

const FRAME = /^\s+at /
// Node's own code, dependencies, and native frames say nothing about the user's mistake.
const NOT_USER = /\(node:|^\s+at node:|[/\\]node_modules[/\\]|\(<anonymous>\)|^\s+at <anonymous>$|\(native\)/

// This package's own frames (the wrappers that run user functions in a scope), wherever it is
// installed: a linked checkout is not under node_modules.
const ownFile = /((?:file:\/\/)?[^\s()]+?):\d+:\d+\)?$/.exec(new Error().stack?.split('\n')[1] ?? '')?.[1]
const ownDir = ownFile && dirname(ownFile.startsWith('file:') ? fileURLToPath(ownFile) : ownFile)
const own = ownDir ? [ownDir, pathToFileURL(ownDir).href].map((dir) => `${dir}${dir.includes('\\') ? '\\' : '/'}`) : []
const isUser = (line: string): boolean => FRAME.test(line) && !NOT_USER.test(line) && !own.some((dir) => line.includes(dir))

/**
 * The frames in the user's code of the first stack along `site`'s causes that has any:
 * a server that listens from a DNS callback was created where the user called listen().
 */
export function userFrames(site: Site | undefined): string[] {
  for (const stack of siteStacks(site)) {
    const user = stack.split('\n').filter(isUser)
    if (user.length > 0) return user
  }
  return []
}

/** `file:line:column` of the user's line that created the resource at `site`. */
export function creationSite(site: Site | undefined): string | undefined {
  const frame = userFrames(site)[0]
  if (frame === undefined) return undefined
  const location = frame.match(/\((.*)\)$/)?.[1] ?? frame.replace(FRAME, '')
  return location.replace(/^file:\/\//, '')
}
