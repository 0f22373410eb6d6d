import { readFileSync } from 'node:fs'
import { setTimeout as delay } from 'node:timers/promises'

/**
 * Whether process `pid` still runs. A killed process whose parent exited before reaping it stays a
 * zombie until init reaps it, which init does when it gets to it: that process has ended, though
 * process.kill(pid, 0) still finds it. Linux shows the state in /proc; elsewhere, the signal test.
 */
function running(pid) {
  try {
    // The state follows the command in parentheses, which may itself hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2))
  } catch (error) {
    if (error.code === 'ENOENT') return false
  }
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Whether process `pid` ends within `seconds`: a signal sent to it takes effect when it is next scheduled, which a loaded machine delays. */
export async function processEnds(pid, seconds = 10) {
  const deadline = performance.now() + seconds * 1000
  while (running(pid)) {
    if (performance.now() > deadline) return false
    await delay(20)
  }
  return true
}
