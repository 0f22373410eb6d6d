import { frameOrigin, framesOf } from './frames.js'
import { type Site, siteStacks } from './site.js'

/**
 * Timers that a DOM implementation (jsdom, happy-dom) makes on Node's for a window API, which the
 * Node Timeout alone does not tell apart: jsdom's `setInterval` is a Node setTimeout that its
 * callback sets again, and both implement `AbortSignal.timeout()` with a ref'd window timer, where
 * Node's own is unref'd (so not counted unless `countUnref`). Told by the DOM's frames between Node's
 * timer and the user's line, on the timer's stack or, for a timer set again, on its cause's.
 */
export type DomTimer = 'interval' | 'abort-signal-timeout'

// `window.setInterval`, `Window.setInterval`: the method of a window, in the DOM's code.
const SET_INTERVAL = /^\s+at (?:[\w$]+\.)*setInterval \(/
// The static `timeout` of a file named for AbortSignal: jsdom's IDL wrapper and its AbortSignal-impl.js,
// happy-dom's AbortSignal.js (.ts where a source map is applied). V8 names a static method's frame `Function.timeout` or `AbortSignal.timeout`.
const ABORT_TIMEOUT = /^\s+at (?:[\w$]+\.)*timeout \(.*[/\\]AbortSignal(?:-impl)?\.[cm]?[jt]s:/

/** Which window API the timer at `site` serves, if a DOM implementation made it for one. */
export function domTimerOf(site: Site): DomTimer | undefined {
  for (const stack of siteStacks(site))
    for (const frame of framesOf(stack)) {
      const origin = frameOrigin(frame)
      if (origin === 'user') break
      if (origin !== 'dependency') continue
      if (ABORT_TIMEOUT.test(frame)) return 'abort-signal-timeout'
      if (SET_INTERVAL.test(frame)) return 'interval'
    }
  return undefined
}
