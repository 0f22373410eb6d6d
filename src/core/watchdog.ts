import { clearInterval, now, setInterval } from './real-timers.js'

/** What {@link watchdog} returns: a way to say that the run moves on, and to stop watching. */
export interface Watchdog {
  progress(): void
  stop(): void
}

/**
 * Calls `stuck(idleMs)` each time `ms` pass without a call of `progress()`. Its timer is unref'd,
 * so it never keeps a process alive, and real, so fake timers cannot stop it.
 */
export function watchdog(ms: number, stuck: (idleMs: number) => void): Watchdog {
  let last = now()
  let told = last
  const timer = setInterval(() => {
    const at = now()
    if (at - told < ms) return
    told = at
    stuck(at - last)
  }, Math.max(50, Math.min(ms / 4, 1000)))
  timer.unref()
  return {
    progress() {
      last = told = now()
    },
    stop() {
      clearInterval(timer)
    },
  }
}
