import { clearTimeout, now, setTimeout } from './real-timers.js'

/** The fields of Node's Timeout that tell when it is due, and whether it fired or was cleared. */
interface NodeTimeout {
  _idleStart?: number | null
  _idleTimeout?: number
  _repeat?: number | null
  _destroyed?: boolean
}

// Node keeps a timer's start on its event loop's clock (ms since the loop started), which it reads
// afresh at each insert; performance.now() counts from the process's time origin. Both tick alike:
// their difference is read once, from a timer made for it.
let offset: number | undefined
function loopClockOffset(): number {
  const probe = setTimeout(() => {}, 0) as unknown as NodeTimeout
  const at = now()
  clearTimeout(probe as unknown as NodeJS.Timeout)
  return at - (probe._idleStart ?? at)
}

/** When a one-off timer (`setTimeout`) is due, in `performance.now()` time; undefined for any other resource. */
export function dueAt(resource: object): number | undefined {
  const timer = resource as NodeTimeout
  if (timer._repeat != null || typeof timer._idleStart !== 'number' || typeof timer._idleTimeout !== 'number' || timer._idleTimeout < 0) return undefined
  offset ??= loopClockOffset()
  return timer._idleStart + timer._idleTimeout + offset
}

/** The delay a timer was set with, in ms (Node makes one under 1 ms 1 ms). */
export const delayOf = (resource: object): number => (resource as NodeTimeout)._idleTimeout ?? 0

/** Whether a one-off timer ran its callback (not cleared: clearTimeout marks it with a timeout of -1). */
export function fired(resource: object): boolean {
  const timer = resource as NodeTimeout
  return timer._destroyed === true && timer._repeat == null && typeof timer._idleTimeout === 'number' && timer._idleTimeout >= 0
}
