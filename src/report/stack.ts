import { creationSite, dependencyOf, frameOrigin, isFrame, locationOf } from '../core/frames.js'
import { type Site, siteStacks } from '../core/site.js'

/** The dependency whose code the frame `line` is, with where; undefined for another's code. */
export function dependencyAt(line: string): { name: string; location: string } | undefined {
  const name = isFrame(line) && frameOrigin(line) === 'dependency' ? dependencyOf(line) : undefined
  return name === undefined ? undefined : { name, location: locationOf(line) }
}

/** The first frame of a dependency's code along `site`'s stacks, with the dependency's name. */
export function dependencyFrame(site: Site | undefined): { name: string; location: string } | undefined {
  for (const stack of siteStacks(site))
    for (const line of stack.split('\n')) {
      const dependency = dependencyAt(line)
      if (dependency) return dependency
    }
  return undefined
}

/**
 * `created at file:line:column` (`by`: said after `created`, such as ` by its afterEach hook`);
 * with no line of the user's on its stack, who created it: `by dependency "nock" at …`, so that
 * the user knows which one to clean up after, or else Node.
 */
export function createdWhere(site: Site | undefined, by = ''): string {
  const line = creationSite(site)
  if (line) return `created${by} at ${line}`
  const dependency = dependencyFrame(site)
  return `created${by} by ${dependency ? `dependency "${dependency.name}" at ${dependency.location}` : 'Node or a dependency'} (no line of your code on its stack)`
}
