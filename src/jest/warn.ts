/**
 * Prints `message` through `console.warn` of a test file, from a tick of its own: Jest shows where
 * a console call came from, and a call from here would point every report at this package's code.
 */
export function warnFromTick(console: Console, message: string): void {
  process.nextTick(console.warn.bind(console), message)
}
