import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

/**
 * Runs a test runner's CLI (`node ...args`) to completion, killed after `timeout` ms, and reads the
 * JSON report it wrote to `reportFile`; `report` is undefined when it wrote none.
 */
export function spawnRunner(args, { cwd, timeout, env, reportFile }) {
  const run = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout, killSignal: 'SIGKILL', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...env } })
  let report
  try {
    report = JSON.parse(readFileSync(reportFile, 'utf8'))
  } catch {
    report = undefined
  }
  return { run, report }
}
