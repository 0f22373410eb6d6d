// README's picture of the page of a run: runs examples/vitest with ASYNC_DEBUG_HTML, opens the page
// in Debian's headless Chromium (playwright-core), clicks the leaked server, and saves docs/page.png.
// usage: npm run build && node scripts/screenshot.mjs [out.png]
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { inChromium, repo, runExamples } from './screenshots.mjs'

const out = process.argv[2] ?? join(repo, 'docs', 'page.png')
const work = mkdtempSync(join(tmpdir(), 'async-debug-screenshot-'))
try {
  const page = join(work, 'page.html')
  const run = runExamples({ ASYNC_DEBUG_HTML: page })
  if (!existsSync(page)) throw new Error(`examples/vitest wrote no page (exit ${run.status}):\n${run.stdout}${run.stderr}`)
  await inChromium(760, async (tab) => {
    await tab.goto(pathToFileURL(page).href)
    await tab.waitForSelector('html[data-drawn="true"]')
    await tab.locator('.bar.resource.leaked.type-server').first().click()
    await tab.screenshot({ path: out })
  })
  console.log(`saved ${out}`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
