import { creationSite, dependencyOf, frameOrigin, isFrame, locationOf } from '../core/frames.js'
import { type Site, siteStacks } from '../core/tracked.js'

/** The first frame of a dependency's code along `site`'s stacks, with the dependency's name. */
export function dependencyFrame(site: Site | undefined): { name: string; location: string } | undefined {
  for (const stack of siteStacks(site)) {
    const frame = stack.split('\n').find((line) => isFrame(line) && frameOrigin(line) === 'dependency')
    const name = frame && dependencyOf(frame)
    if (frame && name) return { name, location: locationOf(frame) }
  }
  return undefined
}

/**
 * `created at file:line:column`; with no line of the user's on its stack, who created it: `by
 * dependency "nock" at …`, so that the user knows which one to clean up after, or else Node.
 */
export function createdWhere(site: Site | undefined): string {
  const line = creationSite(site)
  if (line) return `created at ${line}`
  const dependency = dependencyFrame(site)
  return `created by ${dependency ? `dependency "${dependency.name}" at ${dependency.location}` : 'Node or a dependency'} (no line of your code on its stack)`
}
