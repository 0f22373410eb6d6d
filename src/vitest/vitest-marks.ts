/**
 * Copies onto `wrapper` the marks that Vitest keeps on a function under symbol keys (an around
 * hook's timeout and stack trace, a fixture's definition site and parsed arguments), so that the
 * function that replaces the user's keeps behaving as it for Vitest.
 */
export function withVitestMarks<F extends Function>(wrapper: F, original: Function): F {
  for (const key of Object.getOwnPropertySymbols(original)) Object.defineProperty(wrapper, key, Object.getOwnPropertyDescriptor(original, key)!)
  return wrapper
}
