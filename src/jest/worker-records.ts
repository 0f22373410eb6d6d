import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { RunRecord } from '../report/run-records.js'
import { removeRunTempDir, runTempDir } from '../report/run-temp-dir.js'

// Set by the summary reporter in Jest's main process, before it starts workers, which inherit it.
const VARIABLE = 'ASYNC_DEBUG_JEST_SUMMARY_DIR'
let written = 0

/** Makes the directory where workers leave their records, for this process and its workers. */
export function openRecords(): string {
  const dir = runTempDir('async-debug-summary-')
  process.env[VARIABLE] = dir
  return dir
}

/** Leaves a test file's records for the summary reporter, if one is listening. */
export function writeRecords(entries: readonly RunRecord[]): void {
  const dir = process.env[VARIABLE]
  if (dir === undefined || entries.length === 0) return
  try {
    writeFileSync(join(dir, `${process.pid}-${++written}.json`), JSON.stringify(entries))
  } catch (error) {
    // The summary is an extra: losing it must not fail the file's tests.
    process.stderr.write(`async-debug: could not leave this file's records for the summary reporter: ${String(error)}\n`)
  }
}

/** Everything the workers left, and removes the directory. */
export function readRecords(dir: string): RunRecord[] {
  try {
    return readdirSync(dir)
      .sort()
      .flatMap((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as RunRecord[])
  } finally {
    removeRunTempDir(dir)
  }
}
