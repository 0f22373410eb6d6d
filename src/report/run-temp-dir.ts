import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// Made and not removed yet: removed when the process exits, by one listener however many runs a
// watch mode makes them for.
const made = new Set<string>()

const removeLeft = (): void => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
}

/**
 * A new directory under the system's temporary one, where a run's workers leave their parts for
 * this process to read. Removed by {@link removeRunTempDir} once read, or when this process exits,
 * whether or not the run got as far as reading it (a run that fails to start, another reporter's
 * bad option).
 */
export function runTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  if (made.size === 0) process.once('exit', removeLeft)
  made.add(dir)
  return dir
}

/** Removes `dir`, made by runTempDir, and what is in it. */
export function removeRunTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
  made.delete(dir)
  if (made.size === 0) process.off('exit', removeLeft)
}
