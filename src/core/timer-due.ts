import { makeOwn } from './own-work.js'
import { setTimeout } from './real-timers.js'

/** The fields of Node's Timeout that tell when it is due, and whether it fired or was cleared. */
interface NodeTimeout {
  _idleStart?: number | null
  _idleTimeout?: number
  _repeat?: number | null
  _destroyed?: boolean
}

// The largest delay Node keeps (a longer one becomes 1 ms): the probe comes due only in a run of
// 24.8 days (a watch mode's), which then makes another.
const TIMEOUT_MAX = 2 ** 31 - 1
// A timer of async-debug's own, refreshed to read the clock: refresh() restarts it on the loop's
// clock in place, where making and clearing a timer at each reading also made and dropped a timer
// list and started libuv's timer. Nobody's: the scope being judged would otherwise track it, with
// a creation stack. Unref'd: it keeps no process alive.
let probe: (NodeTimeout & NodeJS.Timeout) | undefined

// Node keeps a timer's start on its event loop's clock (ms since the loop started), which it reads
// afresh at each insert, in whole ms of a coarse clock. Timers are judged on that clock: a timer set
// just before its test ended is due by the end of the settle wait read on the same clock, however
// the two clocks' readings fall; on performance.now()'s, a few ms of rounding could move it past.
/** The event loop's clock now, as Node reads it for a timer set now. */
export function loopNow(): number {
  if (probe === undefined || probe._destroyed) probe = makeOwn(() => setTimeout(() => {}, TIMEOUT_MAX).unref()) as NodeTimeout & NodeJS.Timeout
  probe.refresh()
  return probe._idleStart ?? 0
}

/** When a one-off timer (`setTimeout`) is due, on the event loop's clock; undefined for any other resource. */
export function dueAt(resource: object): number | undefined {
  const timer = resource as NodeTimeout
  if (timer._repeat != null || typeof timer._idleStart !== 'number' || typeof timer._idleTimeout !== 'number' || timer._idleTimeout < 0) return undefined
  return timer._idleStart + timer._idleTimeout
}

/** The delay a timer was set with, in ms (Node makes one under 1 ms 1 ms). */
export const delayOf = (resource: object): number => (resource as NodeTimeout)._idleTimeout ?? 0

/** Whether a one-off timer ran its callback (not cleared: clearTimeout marks it with a timeout of -1). */
export function fired(resource: object): boolean {
  const timer = resource as NodeTimeout
  return timer._destroyed === true && timer._repeat == null && typeof timer._idleTimeout === 'number' && timer._idleTimeout >= 0
}
