import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * A new directory under the system's temporary one, where a run's workers leave their parts for
 * this process to read. Removed when this process exits, whether or not the run got as far as
 * reading it (a run that fails to start, a reporter whose options are bad).
 */
export function runTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  return dir
}
