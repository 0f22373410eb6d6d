import type { Excuses } from './excuses.js'
import { creationSite, madeBy } from './frames.js'
import type { LiveResources } from './live-resources.js'
import type { Mistakes } from './mistakes.js'
import type { EngineObserver } from './observer.js'
import type { Settings } from './options.js'
import type { Ownership } from './ownership.js'
import { callsAmong, candidates, floatingCalls, foldAwaitedBy } from './promises/verdict.js'
import type { Resumptions } from './promises/resumption.js'
import type { Strays } from './strays.js'
import { now, setImmediate, setTimeout } from './real-timers.js'
import { dispose, isAlive, isClosing, isPassive } from './async-types.js'
import { type Excused, type Finding, type Scope, testScope, type Tracked } from './scope.js'
import { delayOf, dueAt, fired, loopNow } from './timer-due.js'
import { type Watchdog, watchdog } from './watchdog.js'

// Turns that a scope's floating calls are given to finish before it is judged, at least: two, then timers'.
const FLOATING_TURNS = 3
// How long past its due time a timer that ends on its own is waited for, on a machine too loaded to run it in time.
const DUE_TIMER_WAIT_MS = 1000
// How long a resource asked to stop (a killed child, an ended socket) is waited for to finish, on a
// machine too loaded to finish it within settleMs.
const CLOSING_WAIT_MS = 3000
// How far past the settle deadline a dependency's one-off timer may be due, and be waited for.
const DEPENDENCY_TIMER_MS = 1000
// How long floating calls are waited for while one-off requests (an fs read, a DNS lookup) are in
// flight, which will resume them, on a machine too loaded to finish them within settleMs.
const REQUEST_WAIT_MS = 1000
// Node's names of one-off requests, as process.getActiveResourcesInfo() lists them: FSReqPromise, GetAddrInfoReqWrap…
const ONE_OFF_REQUEST = /Req/

type Turn = (next: (resolve: () => void) => unknown) => Promise<void>

/** What the judge works with: the other parts of the engine. */
export interface JudgeParts {
  readonly settings: Pick<Settings, 'settleMs' | 'dispose' | 'watchdogSeconds'>
  readonly ownership: Ownership
  readonly live: LiveResources
  readonly excuses: Excuses
  readonly mistakes: Mistakes
  readonly resumptions: Resumptions
  readonly strays: Strays
  /** See EngineAdapter.modulesPerFile. */
  readonly modulesPerFile: boolean
  /** See EngineAdapter.observer. */
  readonly observer?: EngineObserver | undefined
}

/**
 * Judges scopes as they close: waits, within bounds, for what ends on its own, names the floating
 * calls, holds what a suite's afterAll may still close, disposes of the rest, and returns it.
 */
export class Judge {
  readonly #parts: JudgeParts
  // Lines whose floating calls did not finish within a scope's settling: not waited for again.
  readonly #unfinished = new Set<string>()
  // What was let pass but must not outlive its file (see EngineAdapter.modulesPerFile).
  readonly #endWithFile = new Set<Tracked>()
  #watchdog: Watchdog | undefined

  constructor(parts: JudgeParts) {
    this.#parts = parts
  }

  /**
   * Calls `stuck` each time `watchdogSeconds` pass without a test being judged, with what each scope
   * not judged yet waits on (those waiting on nothing left out). Returns a function that stops it.
   */
  watch(stuck: (idleMs: number, waiting: { scope: Scope; findings: Finding[] }[]) => void): () => void {
    const { ownership, live, settings } = this.#parts
    const dog = (this.#watchdog = watchdog(settings.watchdogSeconds * 1000, (idleMs) =>
      stuck(idleMs, [...ownership.open].map((scope) => ({ scope, findings: live.waitingOn(scope) })).filter(({ findings }) => findings.length > 0)),
    ))
    return () => {
      dog.stop()
      this.#watchdog = undefined
    }
  }

  /** See Engine.close. */
  async close(scope: Scope): Promise<Finding[]> {
    const parts = scope.parts.splice(0)
    const handler = parts.find((part) => part.kind === 'handler')
    const findings = await Promise.all([scope, ...parts].filter((s) => s !== handler).map((s) => this.#judge(s)))
    // What a server keeps for the test's requests waits for the server's afterAll only if the test
    // left nothing else: one that did (its request still in flight) fails with all of it at once.
    if (handler) findings.push(await this.#judge(handler, findings.every((found) => found.length === 0)))
    for (const part of parts) {
      scope.mistakes.push(...part.mistakes.splice(0))
      scope.slow.push(...part.slow.splice(0))
      scope.excused.push(...part.excused.splice(0))
    }
    return findings.flat()
  }

  async #judge(scope: Scope, hold = true): Promise<Finding[]> {
    const { settings, ownership, live, mistakes, strays, observer } = this.#parts
    scope.state = 'judging'
    ownership.open.delete(scope)
    if (scope.kind === 'test') this.#watchdog?.progress()
    const started = now()
    observer?.judging(scope, started)
    const deadline = started + settings.settleMs
    // The same deadline on the event loop's clock, which timers are due by (see timer-due.ts).
    const loopDeadline = loopNow() + settings.settleMs
    const turn: Turn = (next) => ownership.outside(() => new Promise<void>(next))
    // What may be floating calls as the scope ended, before any wait: one that a leak resumes is
    // named with it, though a loaded machine overran the wait long enough for the leak to fire.
    const candidatesAtEnd = [...candidates(scope)]
    // One turn, always: warnings and rejection events of the scope's last tick arrive in it.
    await turn(setImmediate)
    // One more reaches the close callbacks of handles closed just before; then poll until the deadline.
    // A timer is judged by when it is due, not by whether a loaded machine ran it in time: one due
    // by the deadline is waited for (up to a bound) and is no leak; one due later is, even if it
    // ran while the wait overran the deadline. A dependency's short timer is waited for too: made
    // for work the test started (a mock's delayed reply to a request the test gave up on), it ends
    // on its own, and whatever it runs, it runs before the next test. A timer that the callback of
    // one waited for sets is due when it would be had that callback run on time: its delay counted
    // from when the other was due, not from when a loaded machine got to run it, so that a chain of
    // timers (a queue of expiries that re-arms one timer) is judged alike however late each link
    // runs, and one that goes on past the deadline (a poll loop) is still a leak.
    let excused: Excused[] = []
    const later = new Map<object, Finding>()
    // Each one-off timer found, read once (the dependency test parses its stack): when it is due on
    // time, and whether it ends on its own. A DOM's setInterval is a Node setTimeout set again each
    // time: it never ends.
    const timers = new Map<object, { due: number; ends: boolean } | null>()
    const timerOf = (finding: Finding): { due: number; ends: boolean } | null => {
      const { resource, site, armedBy } = finding.tracked
      let timer = timers.get(resource)
      if (timer === undefined) {
        const actual = finding.type === 'interval' ? undefined : dueAt(resource)
        const armer = armedBy && timers.get(armedBy)
        const due = actual === undefined || !armer?.ends ? actual : armer.due + delayOf(resource)
        timer = due === undefined ? null : { due, ends: due <= loopDeadline || (due <= loopDeadline + DEPENDENCY_TIMER_MS && madeBy(site) === 'dependency') }
        timers.set(resource, timer)
      }
      return timer
    }
    const ends = (finding: Finding): boolean => timerOf(finding)?.ends === true
    const look = (): Finding[] => {
      const found = live.handles(scope, { excused: (excused = []) })
      for (const finding of found) if (timerOf(finding)?.ends === false) later.set(finding.tracked.resource, finding)
      return found
    }
    // A timer that ends is waited for until a bound past when it is really due (later than its
    // due time on time, for a link of a chain that a loaded machine ran late); a resource asked to
    // stop, up to a bound from the start; the rest until the deadline.
    // Both clocks are read once a look (the loop's costs a throwaway timer), not once a finding.
    const waited = (loop: number, wall: number) => (finding: Finding): boolean => {
      const timer = timerOf(finding)
      if (timer?.ends) return loop >= Math.max(timer.due, dueAt(finding.tracked.resource) ?? timer.due) + DUE_TIMER_WAIT_MS
      return wall >= (isClosing(finding.tracked.asyncType, finding.tracked.resource) ? started + CLOSING_WAIT_MS : deadline)
    }
    let findings = look()
    for (let n = 0; findings.length > 0 && (n < 1 || !findings.every(waited(loopNow(), now()))); n++) {
      await turn(n < 1 ? setImmediate : (resolve) => setTimeout(resolve, 1))
      findings = look()
    }
    // What is let live on: a timer that ends on its own, and what is excused, held, or not disposed of.
    const alive = findings
    findings = findings.filter((finding) => !ends(finding))
    for (const [timer, finding] of later) if (fired(timer)) findings.push(finding)
    scope.excused.push(...excused)
    if (this.#parts.modulesPerFile) for (const { finding, by } of excused) if (by !== 'allowPending') this.#endWithFile.add(finding.tracked)
    await this.#floatingCalls(scope, findings, candidatesAtEnd, turn)
    const beforeHold = findings
    if (hold) findings = this.#hold(scope, findings)
    mistakes.judging(scope)
    scope.state = 'judged'
    scope.resources.clear()
    scope.held.clear()
    scope.promises.clear()
    if (settings.dispose && findings.length > 0) {
      for (const { tracked } of findings) dispose(tracked.asyncType, tracked.resource)
      scope.state = 'disposed'
    }
    const test = testScope(scope)
    if (test.kind === 'test') {
      // What its code may still run during later tests: what was let live on, not what was disposed of.
      const disposed = scope.state === 'disposed' ? findings : []
      const left: Tracked[] = []
      for (const finding of alive) if (!disposed.includes(finding)) left.push(finding.tracked)
      for (const { finding, by } of excused) if (by !== 'import') left.push(finding.tracked)
      strays.ended(test, left)
    }
    if (scope.kind === 'file') {
      if (settings.dispose) for (const { asyncType, resource } of this.#endWithFile) if (isAlive(asyncType, resource, true)) dispose(asyncType, resource)
      this.#endWithFile.clear()
    }
    if (observer) {
      const held = beforeHold.filter((finding) => !findings.includes(finding)).map((finding) => finding.tracked)
      observer.judged(scope, { findings, held, excused, disposed: scope.state === 'disposed' }, now())
    }
    return findings.filter((finding) => !live.reported(finding))
  }

  // What a test leaves that runs no code by itself (a listening server), and what a server's handler
  // keeps for the test's requests (a rate limiter's window timer, in its service's state), may be an
  // enclosing suite's to close in afterAll, with the server: it is held by the outermost of them not
  // judged yet (the file, mostly), so that any afterAll around the test may close it, and judged with it.
  #hold(scope: Scope, findings: Finding[]): Finding[] {
    if ((scope.kind !== 'test' && !scope.part) || testScope(scope).leaksAllowed !== undefined) return findings
    let holder: Scope | undefined
    for (let above = scope.parent; above; above = above.parent) if ((above.kind === 'suite' || above.kind === 'file') && !above.judged) holder = above
    if (holder === undefined) return findings
    const into = holder
    const handler = scope.kind === 'handler'
    return findings.filter((finding) => {
      if (handler ? finding.type === 'promise' : !isPassive(finding.tracked.asyncType)) return true
      into.held.add(finding.tracked)
      return false
    })
  }

  // The promise rule (promises/verdict.ts): each floating call is named with the live resource it
  // waits on, if any; the others are warnings, watched in case they resume. A call that a one-off
  // operation resumes (an fs read, which is not tracked) first gets up to `settleMs` to finish, and
  // longer while such requests are in flight (a loaded machine is slow to finish them), so that its
  // verdict does not hang on when the operation returns. A call from a line whose calls were seen
  // not to finish with nothing in flight that could resume them (waiting on an event, say) skips
  // the settleMs part, but still waits for requests in flight: how loaded the machine was when
  // another of its calls was judged does not shorten its wait.
  async #floatingCalls(scope: Scope, findings: Finding[], atEnd: Promise<unknown>[], turn: Turn): Promise<void> {
    const { settings, live, excuses, resumptions } = this.#parts
    const started = now()
    const requestsInFlight = (): boolean => process.getActiveResourcesInfo().some((type) => ONE_OFF_REQUEST.test(type))
    const waiting = (fresh: boolean): boolean => {
      const waited = now() - started
      return (fresh && waited < settings.settleMs) || (waited < REQUEST_WAIT_MS && requestsInFlight())
    }
    const lineOf = (call: Finding): string => creationSite(call.tracked.site) ?? ''
    let pending = floatingCalls(scope)
    for (let n = 0; pending.length > 0 && (n < FLOATING_TURNS || waiting(pending.some((call) => !this.#unfinished.has(lineOf(call))))); n++) {
      await turn(n < FLOATING_TURNS - 1 ? setImmediate : (resolve) => setTimeout(resolve, 1))
      pending = floatingCalls(scope)
    }
    if (pending.length > 0 && !requestsInFlight()) for (const call of pending) this.#unfinished.add(lineOf(call))
    const calls = pending.map((call) => live.named(call))
    const alone = foldAwaitedBy(findings, excuses.unexcused(calls, scope.excused))
    // Calls that finished during the wait are read only when a leak is left that one may have awaited.
    if (findings.some((finding) => finding.awaitedBy === undefined)) {
      const finished = callsAmong(scope, atEnd.filter((promise) => !pending.some((still) => still.tracked.resource === promise)))
      foldAwaitedBy(findings, excuses.unexcused(finished.map((call) => live.named(call)), undefined))
    }
    for (const call of alone) {
      scope.warnings.push(call)
      resumptions.watch(scope, call)
    }
  }
}
