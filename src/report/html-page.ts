import { pageScript, pageStyle } from './html-page-assets.js'
import type { PageModel } from './page-model.js'

/**
 * The page of a run: one self-contained HTML file (its style, script and data inline; its policy
 * lets it fetch nothing) that draws `model` (page-model.ts).
 */

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** `value` as JSON that a script element may hold: no `</script>` or `<!--` can close or bend it, and no line separators. */
export const scriptJson = (value: unknown): string =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')

export function htmlPage(model: PageModel): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(model.title)}</title>
<style>${pageStyle}</style>
</head>
<body>
<header>
<h1>${escapeHtml(model.title)}</h1>
<div class="summary" id="summary"></div>
<div id="filters"></div>
</header>
<main id="files"></main>
<aside id="details"><p class="placeholder">Click a test or a resource: what it is, where it was created, and what to do.</p></aside>
<script type="application/json" id="async-debug-data">${scriptJson(model)}</script>
<script>${pageScript}</script>
</body>
</html>
`
}
