import { type ResourceFamily, type ResourceType, resourceTypes } from '../core/resource-types.js'
import type { Finding, Scope } from '../core/scope.js'
import { siteStacks } from '../core/site.js'
import { creationSite, userFrames } from '../core/frames.js'
import { describe } from './descriptions.js'

/** One thing a scope has pending, as `getPendingTasks()` describes it. */
export interface PendingTask {
  /** `timer` (timeouts, intervals, immediates, fake timers), `promise`, or `handle` (servers, sockets, processes…). */
  kind: ResourceFamily
  /** Its resource type, as the `ignore.types` option names it. */
  type: ResourceType
  /** The name given to it with `nameTask()`. */
  name: string | undefined
  /** What it is, e.g. `setInterval every 1000 ms`. */
  detail: string
  /** The scope that owns it, e.g. `test "loads the user"`. */
  owner: string
  /** How long ago it was created, in ms; `undefined` for a promise without a creation stack. */
  ageMs: number | undefined
  /** `file:line:column` of the user's line that created it, when known. */
  createdAt: string | undefined
  /** The frames of its creation stack in the user's code, innermost first. */
  stack: string[]
}

/**
 * What is worth showing of what a scope waits on: promises made by the runner or a library alone
 * (no line of the user's) say nothing, nor do a library's inner promises made from the same line
 * as one already listed.
 */
export function worthShowing(waitingOn: readonly Finding[]): Finding[] {
  const lines = new Set<string>()
  return waitingOn.filter((finding) => {
    if (finding.type !== 'promise') return true
    const line = creationSite(finding.tracked.site)
    if (line === undefined || lines.has(line)) return false
    lines.add(line)
    return true
  })
}

/** The descriptors of what a scope waits on, `now` being `performance.now()`. */
export function pendingTasks(waitingOn: readonly Finding[], now: number): PendingTask[] {
  return worthShowing(waitingOn).map((finding) => pendingTask(finding, now))
}

function pendingTask(finding: Finding, now: number): PendingTask {
  const { tracked, type } = finding
  return {
    kind: resourceTypes[type].family,
    type,
    name: finding.name,
    detail: describe(finding),
    owner: tracked.owner.title,
    ageMs: Number.isNaN(tracked.createdAt) ? undefined : Math.round(now - tracked.createdAt),
    createdAt: creationSite(tracked.site),
    stack: userFrames(tracked.site).map((frame) => frame.trim()),
  }
}

/** Tasks as `dumpPendingTasks()` and the watchdog print them: each with its creation stack, like asyncio's `print_stack()`. */
export function formatTasks(title: string, tasks: readonly PendingTask[]): string {
  if (tasks.length === 0) return `${title}: nothing pending.`
  const lines = [`${title}: ${tasks.length} pending ${tasks.length === 1 ? 'task' : 'tasks'}, innermost first:`]
  tasks.forEach((task, i) => {
    const age = task.ageMs === undefined ? '' : `, ${task.ageMs} ms old`
    lines.push(`  ${i + 1}. ${task.kind} ${task.name === undefined ? '' : `"${task.name}" `}(${task.detail}${age}), of ${task.owner}`)
    for (const frame of task.stack.length > 0 ? task.stack : ['(no line of your code on its creation stack)']) lines.push(`       ${frame}`)
  })
  return lines.join('\n')
}

/** What the watchdog prints when no test has finished for a while: each waiting scope's tasks. */
export function stuckReport(idleMs: number, waiting: readonly { scope: Scope; findings: readonly Finding[] }[]): string {
  const at = performance.now()
  const head = `async-debug watchdog (pid ${process.pid}): no test has finished for ${(idleMs / 1000).toFixed(1)} s.`
  const scopes = waiting
    .map(({ scope, findings }) => ({ scope, tasks: pendingTasks(awaitedFirst(findings), at) }))
    .filter(({ tasks }) => tasks.length > 0)
    .map(({ scope, tasks }) => formatTasks(scope.title, tasks))
  return `${head}${scopes.length > 0 ? ` What this worker is waiting on:\n\n${scopes.join('\n\n')}` : ' Nothing that async-debug tracks is pending in this worker.'}\n`
}

/**
 * What a stuck scope waits on, in the order that explains the hang: each promise it awaits, newest
 * first, after the timers and handles made under it (from its line); then the other timers and
 * handles, which run beside what it awaits.
 */
export function awaitedFirst(waitingOn: readonly Finding[]): Finding[] {
  const promises = waitingOn.filter((finding) => finding.type === 'promise')
  const rest = waitingOn.filter((finding) => finding.type !== 'promise')
  const ordered: Finding[] = []
  for (const promise of promises) {
    const line = creationSite(promise.tracked.site)
    const under = line === undefined ? [] : rest.filter((handle) => siteStacks(handle.tracked.site).some((stack) => stack.includes(line)))
    for (const handle of under) rest.splice(rest.indexOf(handle), 1)
    ordered.push(...under, promise)
  }
  return [...ordered, ...rest]
}
