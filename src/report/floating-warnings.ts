import { creationSite } from '../core/frames.js'
import { callName } from './descriptions.js'
import type { Scope } from '../core/scope.js'
import { listFindings } from './leak-error.js'
import { createdWhere } from './stack.js'

/**
 * The warning printed next to a test for the floating calls it left pending with nothing live
 * under them. A call made from the same line as one printed before (by the same worker) gets one
 * short line: a suite that drops the same call in forty tests should not print forty reports.
 * `printed`: the creation lines printed so far.
 */
export function floatingWarning(scope: Scope, printed: Set<string>): string | undefined {
  const { warnings } = scope
  if (warnings.length === 0) return undefined
  const fresh = warnings.filter((call) => {
    const line = creationSite(call.tracked.site) ?? ''
    if (printed.has(line)) return false
    printed.add(line)
    return true
  })
  if (fresh.length === 0) {
    const names = warnings.map((call) => `${callName(call.asyncFunction)} (${createdWhere(call.tracked.site)})`).join(', ')
    return `async-debug: warning: ${scope.title} left ${names} pending that nothing awaits, as an earlier test did.`
  }
  const one = fresh.length === 1
  return `async-debug: warning: ${scope.title} left ${one ? 'a call' : `${fresh.length} calls`} pending that nothing awaits (not a failure: nothing live is under ${one ? 'it' : 'them'}, but if ${one ? 'it resumes' : 'one resumes'} after the test, the test fails then):\n\n${listFindings(fresh)}`
}
