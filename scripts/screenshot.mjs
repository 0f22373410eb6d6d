// README's picture of the page of a run: runs examples/vitest with ASYNC_DEBUG_HTML, opens the page
// in Debian's headless Chromium (playwright-core), clicks the leaked server, and saves docs/page.png.
// usage: npm run build && node scripts/screenshot.mjs [out.png]
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { chromium } from 'playwright-core'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = process.argv[2] ?? join(repo, 'docs', 'page.png')
const executablePath = process.env.ASYNC_DEBUG_CHROMIUM ?? '/usr/bin/chromium'
if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}: apt-get install -y chromium`)

const work = mkdtempSync(join(tmpdir(), 'async-debug-screenshot-'))
try {
  const page = join(work, 'page.html')
  const run = spawnSync(process.execPath, [join(repo, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=default', '--reporter=async-debug/vitest/reporter'], {
    cwd: join(repo, 'examples', 'vitest'),
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ASYNC_DEBUG_HTML: page, FORCE_COLOR: '0' },
  })
  if (!existsSync(page)) throw new Error(`examples/vitest wrote no page (exit ${run.status}):\n${run.stdout}${run.stderr}`)
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] })
  try {
    const tab = await browser.newPage({ viewport: { width: 1400, height: 760 } })
    await tab.goto(pathToFileURL(page).href)
    await tab.waitForSelector('html[data-drawn="true"]')
    await tab.locator('.bar.resource.leaked.type-server').first().click()
    await tab.screenshot({ path: out })
  } finally {
    await browser.close()
  }
  console.log(`saved ${out}`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
