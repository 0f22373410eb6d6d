// What README's screenshots share: a run of examples/vitest with async-debug's summary reporter,
// and Debian's headless Chromium driven by playwright-core.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Runs examples/vitest with the summary reporter and `env` (ASYNC_DEBUG_HTML, ASYNC_DEBUG_TRACE); returns the run. */
export function runExamples(env) {
  return spawnSync(process.execPath, [join(repo, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=default', '--reporter=async-debug/vitest/reporter'], {
    cwd: join(repo, 'examples', 'vitest'),
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, CI: 'true', FORCE_COLOR: '0', ...env },
  })
}

/** Calls `shoot` with a page of a headless Chromium 1400 px wide and `height` high, then closes it. */
export async function inChromium(height, shoot) {
  const executablePath = process.env.ASYNC_DEBUG_CHROMIUM ?? '/usr/bin/chromium'
  if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}: apt-get install -y chromium`)
  // Without the background-networking flags, Chromium tries hosts that a closed network refuses.
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] })
  try {
    await shoot(await browser.newPage({ viewport: { width: 1400, height } }))
  } finally {
    await browser.close()
  }
}
