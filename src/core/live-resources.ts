import { domTimerOf } from './dom-timers.js'
import { byTarget, type Excuses } from './excuses.js'
import { byNodeFetch, locationOf, madeBy, makerFrame, nodeHousekeeping } from './frames.js'
import { awaitedPromises } from './promises/verdict.js'
import { covered, factsOf, isAlive, origin, typeOf } from './async-types.js'
import type { Excused, Finding, Scope, Tracked } from './scope.js'
import type { Site } from './site.js'

/**
 * What a scope owns that is alive right now, as findings: named as the user named them, without
 * what an excuse lets pass, and without what expectNoPendingTasks() has reported already.
 */
export class LiveResources {
  readonly #countUnref: boolean
  readonly #excuses: Excuses
  readonly #names = new WeakMap<object, string>()
  // Resources that expectNoPendingTasks() has reported already: disposed of at their scope's end, not reported again.
  readonly #reported = new WeakSet<object>()

  constructor(countUnref: boolean, excuses: Excuses) {
    this.#countUnref = countUnref
    this.#excuses = excuses
  }

  /** Gives `target` (a promise, or a timer, handle or the object wrapping a handle) a name that reports use. */
  name(target: object, name: string): void {
    this.#names.set(target, name)
  }

  /** `finding` with the name the user gave its resource, if any. */
  named(finding: Finding): Finding {
    const name = byTarget(this.#names, finding.tracked.resource)
    return name === undefined ? finding : { ...finding, name }
  }

  /** Marks what `findings` name as reported already: their scope's end disposes of them without reporting them again. */
  markReported(findings: readonly Finding[]): void {
    for (const { tracked } of findings) this.#reported.add(tracked.resource)
  }

  /** Whether `finding` was reported already (see markReported). */
  reported(finding: Finding): boolean {
    return this.#reported.has(finding.tracked.resource)
  }

  /**
   * `scope`'s live timers and handles, with its parts' and those its tests left it to close.
   * What `allowPending()` or an `ignore` rule lets pass is not returned; `excused`, if given,
   * receives it with the reason.
   */
  handles(scope: Scope, { excused }: { excused?: Excused[] } = {}): Finding[] {
    const countUnref = this.#countUnref
    const alive: Tracked[] = []
    const explained = new Set<unknown>()
    for (const tracked of scope.held) if (isAlive(tracked.asyncType, tracked.resource, countUnref)) alive.push(tracked)
    for (const owner of [scope, ...scope.parts])
      for (const tracked of owner.resources) {
        if (!isAlive(tracked.asyncType, tracked.resource, countUnref)) continue
        // Node's own unref'd bookkeeping runs no code of the user's: countUnref does not count it.
        if (countUnref && !isAlive(tracked.asyncType, tracked.resource, false) && nodeHousekeeping(tracked.site)) continue
        // fetch()'s connections and the turns its parser takes are its requests' (HTTP_REQUEST), in flight or not at all.
        if ((tracked.asyncType === 'TCPWRAP' || tracked.asyncType === 'Immediate') && byNodeFetch(tracked.site)) continue
        alive.push(tracked)
        for (const resource of covered(tracked.asyncType, tracked.resource)) explained.add(resource)
      }
    const handles: Finding[] = []
    for (const tracked of alive) {
      if (explained.has(tracked.resource)) continue
      tracked.site.cause ??= origin(tracked.asyncType, tracked.resource) ?? madeInCallback(tracked)
      const dom = tracked.asyncType === 'Timeout' ? domTimerOf(tracked.site) : undefined
      // Node's AbortSignal.timeout() is unref'd: a DOM's counts as little.
      if (dom === 'abort-signal-timeout' && !countUnref) continue
      // A timeout set by the callback of one set at the same line is a chain whose delays vary from
      // link to link (what is left of a queue's next expiry): named the same however late each link ran.
      const finding: Finding =
        dom === 'interval'
          ? { tracked, type: 'interval', facts: { is: 'interval', ms: (tracked.resource as { _idleTimeout?: number })._idleTimeout } }
          : { tracked, type: typeOf(tracked.asyncType, tracked.resource), facts: rearmed(tracked) ? { is: 'rearmed-timeout' } : factsOf(tracked.asyncType, tracked.resource) }
      handles.push(this.named(scope.held.has(tracked) ? { ...finding, held: true } : finding))
    }
    return this.#excuses.unexcused(handles, excused)
  }

  /**
   * What `scope` is waiting on right now: its live timers and handles, then the promises it made
   * that are still pending, awaited or not, newest first (those that have a creation stack: see
   * `tracePromises`).
   */
  waitingOn(scope: Scope): Finding[] {
    const promises = [scope, ...scope.parts]
      .flatMap(awaitedPromises)
      .filter((finding) => this.#excuses.pendingAllowed(finding.tracked.resource) === undefined)
      .map((finding) => this.named(finding))
    return [...this.handles(scope), ...promises]
  }
}

// Made by Node's code alone, in a callback of a tracked resource: where that one was made, the
// line of the user's code that led to it.
const madeInCallback = ({ ranIn, site }: Tracked): Site | undefined => (ranIn !== undefined && madeBy(site) === undefined ? ranIn : undefined)

function rearmed({ armedBy, site, resource }: Tracked): boolean {
  if (armedBy === undefined || (resource as { _repeat?: unknown })._repeat != null) return false
  const maker = makerFrame(site)
  const first = makerFrame(site.cause)
  // By location: the same function is named after its receiver when a timer calls it.
  return maker !== undefined && first !== undefined && locationOf(maker) === locationOf(first)
}
