const FRAME = /^\s+at /
// Node's own code, dependencies, and native frames say nothing about the user's mistake.
const NOT_USER = /\(node:|^\s+at node:|[/\\]node_modules[/\\]|\(<anonymous>\)|^\s+at <anonymous>$|\(native\)/

/** The frames of `stack` that are in the user's code; all its frames if none is. */
export function userFrames(stack: string | undefined): string[] {
  const frames = (stack ?? '').split('\n').filter((line) => FRAME.test(line))
  const user = frames.filter((line) => !NOT_USER.test(line))
  return user.length > 0 ? user : frames
}

/** `file:line:column` of the first user frame, or undefined when the stack has no frame. */
export function creationSite(stack: string | undefined): string | undefined {
  const frame = userFrames(stack)[0]
  if (frame === undefined) return undefined
  const location = frame.match(/\((.*)\)$/)?.[1] ?? frame.replace(FRAME, '')
  return location.replace(/^file:\/\//, '')
}
