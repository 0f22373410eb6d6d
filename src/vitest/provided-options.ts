import { isRegExp } from '../core/options.js'

/**
 * The plugin's options, as its setup file receives them in a test file whose docblock chose
 * another environment (`// @vitest-environment jsdom`): async-debug's environment, which gets
 * them from `environmentOptions`, is not loaded there. Vitest's `provide` carries them, as JSON,
 * which would empty a RegExp: RegExps travel as `{ [REGEXP]: [source, flags] }`.
 */

/** The key under which the plugin provides its options to the test files (`inject`). */
export const PROVIDED_KEY = 'async-debug.options'

const REGEXP = '$async-debug.RegExp'

/** `options` as a string that keeps its RegExps. */
export const encodeOptions = (options: object): string =>
  JSON.stringify(options, function (this: Record<string, unknown>, key, value: unknown) {
    // `value` has been through toJSON already: read the original.
    const original = this[key]
    return isRegExp(original) ? { [REGEXP]: [original.source, original.flags] } : value
  })

/** The options that {@link encodeOptions} encoded. */
export const decodeOptions = (encoded: string): unknown =>
  JSON.parse(encoded, (_, value: unknown) => {
    const regexp = (value as Record<string, [string, string]> | null)?.[REGEXP]
    return Array.isArray(regexp) ? new RegExp(regexp[0], regexp[1]) : value
  })
