// The page of a run (the summary reporter's option `html`, or ASYNC_DEBUG_HTML), opened in the
// system's headless Chromium: what it draws for a run of a fixture on each runner, what a click
// shows, its filters, and that it fetches nothing.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { pathToFileURL } from 'node:url'
import { chromium } from 'playwright-core'
import { runJest } from './helpers/run-jest.mjs'
import { fixtures, vitestBin } from './helpers/run-vitest.mjs'
import { runners, runShared, summaryReporter, withEnv } from './helpers/runners.mjs'
import { serialize } from './helpers/serialize.mjs'

/** Debian's Chromium, which .ci/run installs; the page is tested in a real browser or not at all. */
const CHROMIUM = process.env.ASYNC_DEBUG_CHROMIUM ?? '/usr/bin/chromium'
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
const RED = 'rgb(217, 48, 37)'

const work = mkdtempSync(join(tmpdir(), 'async-debug-html-'))
let browser
before(async () => {
  // A failure, not a skip: a missing browser must not pass for a page that works.
  if (!existsSync(CHROMIUM)) assert.fail(`no Chromium at ${CHROMIUM}: the page of a run is tested in it. Install Debian's: apt-get install -y chromium (or set ASYNC_DEBUG_CHROMIUM to a Chromium binary)`)
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
})
after(async () => {
  await browser?.close()
  rmSync(work, { recursive: true, force: true })
})

/**
 * Opens the page `file` in a new tab, and returns it with what it requested and what its console
 * said of errors; it is drawn when it returns.
 */
async function open(file) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  const requests = []
  const errors = []
  page.on('request', (request) => requests.push(request.url()))
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(message.text())
  })
  page.on('pageerror', (error) => errors.push(error.message))
  const url = pathToFileURL(file).href
  await page.goto(url)
  await page.waitForSelector('html[data-drawn="true"]')
  return { page, url, requests, errors }
}

const attr = (value) => JSON.stringify(value)
const testBar = (page, title) => page.locator(`.bar.test[data-title=${attr(title)}]`)
const resourceBar = (page, description) => page.locator(`.bar.resource[data-description=${attr(description)}]`)
const details = (page) => page.locator('#details')
const background = (locator) => locator.evaluate((node) => getComputedStyle(node).backgroundColor)

for (const runner of runners) {
  test(`${runner}: ASYNC_DEBUG_HTML writes one page of the run that Chromium draws, fetching nothing: the failed test red, a leaked interval red across the tests after its own, each clickable to its creation line and hint, filters by kind and file`, async () => {
    const file = join(work, `${runner}.html`)
    // Not disposed of, the leaked interval runs on into the next tests (and would keep Jest's process alive after them).
    const args = { ...summaryReporter, jest: [...summaryReporter.jest, '--forceExit'] }
    const started = Date.now()
    const run = withEnv({ ASYNC_DEBUG_HTML: file }, () => runShared(runner, 'trace', { asyncDebug: { dispose: false }, args }))
    assert.ok(!run.timedOut, `the run ended by itself, in ${Date.now() - started} ms:\n${run.output}`)
    assert.ok(existsSync(file), run.output)
    assert.match(run.output, /async-debug: page of the run written to .*\(open it in a browser\)/)
    assert.doesNotMatch(run.output, /trace written to/, 'no trace file was asked for')
    const html = readFileSync(file, 'utf8')
    assert.doesNotMatch(html, /\b(?:src|href)=["']?(?:https?:|\/\/)/i, 'nothing in the page points to the network')
    const { page, url, requests, errors } = await open(file)
    try {
      // A section per file.
      const files = await page.locator('section.file').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-file')))
      assert.deepEqual(files.toSorted(), ['concurrent.test.js', 'timeline.test.js'])
      const timeline = page.locator('section.file[data-file="timeline.test.js"]')
      const concurrent = page.locator('section.file[data-file="concurrent.test.js"]')

      // The test that leaked failed: red; one that passed is not.
      const leaker = testBar(page, 'test "timeline > leaks an interval"')
      assert.match((await leaker.getAttribute('class')) ?? '', /\bfailed\b/)
      assert.equal(await background(leaker), RED)
      const passed = testBar(page, 'test "timeline > closes its timer"')
      assert.doesNotMatch((await passed.getAttribute('class')) ?? '', /\bfailed\b/)
      assert.notEqual(await background(passed), RED)
      // The tests of a file are on its time axis, in the order they ran.
      const next = testBar(page, 'test "timeline > blocks the event loop"')
      const [leakerBox, nextBox] = [await leaker.boundingBox(), await next.boundingBox()]
      assert.ok(leakerBox.x + leakerBox.width <= nextBox.x + 1, `${JSON.stringify(leakerBox)} before ${JSON.stringify(nextBox)}`)

      // The leaked interval: red, from its test across the next one.
      const interval = resourceBar(page, 'setInterval every 1000 ms')
      assert.equal(await interval.count(), 1)
      assert.equal(await interval.getAttribute('data-outcome'), 'leaked')
      assert.equal(await background(interval), RED)
      const intervalBox = await interval.boundingBox()
      assert.ok(intervalBox.x >= leakerBox.x - 1 && intervalBox.x <= leakerBox.x + leakerBox.width, 'it starts in its test')
      assert.ok(intervalBox.x + intervalBox.width >= nextBox.x + nextBox.width - 1, `drawn across the next test: ${JSON.stringify(intervalBox)} over ${JSON.stringify(nextBox)}`)
      // A click: what it is, where it was made, what to do, and which tests it ran into.
      await interval.click()
      const said = await details(page).innerText()
      assert.match(said, /setInterval every 1000 ms/)
      assert.match(said, /Created at\s+\S*timeline\.test\.js:15:5/)
      assert.match(said, /Hint\s+clear it with clearInterval\(timer\) before the test ends, e\.g\. in afterEach/)
      assert.match(said, /Became\s+leaked/)
      assert.match(said, /Ran into[\s\S]*test "timeline > blocks the event loop"/)
      assert.match((await next.getAttribute('class')) ?? '', /\bran-into\b/, 'the tests it ran into are marked')

      // The ticker let run on: its callbacks ran during the next test.
      await resourceBar(page, 'setInterval every 5 ms').click()
      const ticker = await details(page).innerText()
      assert.match(ticker, /Became\s+allowed: allowPending\(\): ticks into the next test on purpose/)
      assert.match(ticker, /Its callbacks ran during\s+test "timeline > runs while the ticker ticks" \(\d+ times?\)/)

      // A click on the failed test: its error, and what was found in it, with where and what to do.
      await leaker.click()
      const failed = await details(page).innerText()
      assert.match(failed, /Result\s+failed/)
      assert.match(failed, /left 1 async resource alive/)
      assert.match(failed, /interval: setInterval every 1000 ms\s+created at \S*timeline\.test\.js:15:5\s+Hint: clear it with clearInterval/)

      // Filter by kind: without intervals, none is drawn; with every resource, the closed timers are.
      const drawn = async (type) => page.locator(`.bar.resource[data-type=${attr(type)}]`).count()
      assert.ok((await drawn('interval')) >= 2)
      const closed = resourceBar(page, 'setTimeout of 10000 ms').and(page.locator(`[data-owner=${attr('test "timeline > closes its timer"')}]`))
      assert.equal(await closed.count(), 0, 'a timer closed in its test is not drawn by default')
      await page.locator('#all-resources').check()
      assert.equal(await closed.count(), 1, 'drawn when every resource is asked for')
      assert.equal(await closed.getAttribute('data-outcome'), 'closed')
      await page.locator('input[name="kind"][value="interval"]').uncheck()
      assert.equal(await drawn('interval'), 0)
      assert.ok((await drawn('timeout')) > 0, 'other kinds stay')
      await page.locator('input[name="kind"][value="interval"]').check()
      assert.ok((await drawn('interval')) >= 2)

      // Filter by file.
      assert.ok((await timeline.isVisible()) && (await concurrent.isVisible()))
      await page.locator('#file-filter').selectOption('concurrent.test.js')
      assert.equal(await timeline.isVisible(), false)
      assert.equal(await concurrent.isVisible(), true)
      await page.locator('#file-filter').selectOption('')
      assert.equal(await timeline.isVisible(), true)

      assert.deepEqual(requests, [url], 'the page requested nothing but itself')
      assert.deepEqual(errors, [], 'no error on the console')
    } finally {
      await page.close()
    }
  })

  test(`${runner}: a value of ASYNC_DEBUG_HTML that names no file is one error naming the variable`, () => {
    const run = withEnv({ ASYNC_DEBUG_HTML: 'yes' }, () => runShared(runner, 'trace', { args: summaryReporter }))
    assert.notEqual(run.exitCode, 0)
    assert.match(run.output, /ASYNC_DEBUG_HTML names the page of the run to write, e\.g\. ASYNC_DEBUG_HTML=page\.html; got 'yes'/)
  })
}

// The option in the reporter's entry of the runner's config, where a reporter's options are given.
const reporterEntry = { vitest: 'async-debug/vitest/reporter', jest: 'async-debug/jest/reporter' }
function runWithOption(runner, options) {
  if (runner === 'jest') return runJest('shared/trace', { config: { reporters: ['default', [reporterEntry.jest, options]] } })
  // Not runVitest: its --reporter arguments would replace the config's reporters.
  const root = join(fixtures, 'shared', 'trace')
  const config = join(work, 'vitest.config.mjs')
  writeFileSync(config, `export default ${serialize({ root, test: { environment: 'async-debug', globals: true, reporters: ['default', [reporterEntry.vitest, options]] } })}\n`)
  const run = spawnSync(process.execPath, [vitestBin, 'run', '--config', config], { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } })
  return { exitCode: run.status, output: `${run.stdout}${run.stderr}` }
}

for (const runner of runners) {
  test(`${runner}: the reporter's option html writes the page without a trace file; a value that is no path is one error naming the option and the reporter`, () => {
    const file = join(work, `${runner}-option.html`)
    const run = runWithOption(runner, { html: file })
    assert.ok(existsSync(file), run.output)
    assert.match(run.output, /page of the run written to/)
    assert.doesNotMatch(run.output, /trace written to/)
    assert.match(readFileSync(file, 'utf8'), /timeline\.test\.js/)
    const bad = runWithOption(runner, { html: true })
    assert.notEqual(bad.exitCode, 0)
    assert.match(bad.output, new RegExp(`${reporterEntry[runner]}: option \`html\` must be a file path, from the project's root, e\\.g\\. \\{ html: 'async-debug\\.html' \\}, got true`))
  })
}
