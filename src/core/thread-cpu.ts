import { closeSync, openSync, readSync } from 'node:fs'

/**
 * The CPU time this thread has used so far, in ms: what code running on the event loop spent,
 * without the time other threads of the process spent meanwhile (V8's GC and compiler threads,
 * libuv's pool, workers), which a loaded machine runs side by side with it.
 */
export const threadCpuMs: () => number = pick()

function pick(): () => number {
  // Node 22.15 and 23.9 on.
  const threadCpuUsage = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage
  if (typeof threadCpuUsage === 'function')
    return () => {
      const { user, system } = threadCpuUsage.call(process)
      return (user + system) / 1000
    }
  return schedstat() ?? processCpuMs
}

// Linux, before Node had threadCpuUsage: the first field of the thread's schedstat is the time it
// ran, in ns. The file is kept open, opened by the thread that reads it, and read from offset 0.
function schedstat(): (() => number) | undefined {
  let fd: number
  try {
    fd = openSync('/proc/thread-self/schedstat', 'r')
  } catch {
    return undefined
  }
  const buffer = Buffer.alloc(64)
  // Read on every timed callback: the leading digits parsed in place, no string made.
  const read = (): number => {
    const length = readSync(fd, buffer, 0, buffer.length, 0)
    let ns = 0
    for (let i = 0; i < length; i++) {
      const digit = buffer[i]! - 48
      if (digit < 0 || digit > 9) break
      ns = ns * 10 + digit
    }
    return ns / 1e6
  }
  try {
    if (read() > 0) return read
  } catch {
    // not readable: fall back
  }
  closeSync(fd)
  return undefined
}

function processCpuMs(): number {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}
