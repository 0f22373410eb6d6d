import { isUserFrame, locationOf } from '../core/frames.js'
import { type Site, siteStacks } from '../core/tracked.js'

/**
 * The frames in the user's code of the first stack along `site`'s causes that has any:
 * a server that listens from a DNS callback was created where the user called listen().
 */
export function userFrames(site: Site | undefined): string[] {
  for (const stack of siteStacks(site)) {
    const user = stack.split('\n').filter(isUserFrame)
    if (user.length > 0) return user
  }
  return []
}

/** `file:line:column` of the user's line that created the resource at `site`. */
export function creationSite(site: Site | undefined): string | undefined {
  const frame = userFrames(site)[0]
  return frame === undefined ? undefined : locationOf(frame)
}
