/**
 * The page of a run's own style and script (html-page.ts inlines them): plain DOM, no framework,
 * nothing fetched. The script reads the model (page-model.ts) from the page's JSON and draws, per
 * test file, its tests as bars on a time axis and, under them, the resources that outlived their
 * test (all of them on demand), across the tests they ran into; a click shows what it is.
 * Written without backquotes, as it sits in a template string.
 */

export const pageStyle = String.raw`
:root { --failed: #d93025; --passed: #7aa7d6; --leaked: #d93025; --allowed: #e8a33d; --resource: #6f8fa8; --closed: #b9c3cc; --row: 22px; color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d232a; background: #f6f7f9; }
header { margin-right: 370px; position: sticky; top: 0; z-index: 2; background: #fff; border-bottom: 1px solid #d8dde3; padding: 10px 16px; }
h1 { font-size: 16px; margin: 0 0 4px; }
.summary { color: #4a5560; margin-bottom: 6px; }
.summary .bad { color: var(--failed); font-weight: 600; }
#filters { display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: center; }
#filters fieldset { border: 0; margin: 0; padding: 0; display: flex; gap: 4px 10px; flex-wrap: wrap; align-items: center; }
#filters legend { float: left; font-weight: 600; margin-right: 6px; }
#filters label { white-space: nowrap; }
.legend { display: flex; flex-wrap: wrap; gap: 2px 14px; color: #4a5560; font-size: 12px; width: 100%; }
.swatch.striped { background: var(--resource) repeating-linear-gradient(135deg, rgba(255,255,255,.45) 0 3px, transparent 3px 6px); }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; vertical-align: -1px; margin-right: 3px; }
main { padding: 8px 16px 40vh; margin-right: 380px; }
section.file { background: #fff; border: 1px solid #d8dde3; border-radius: 6px; margin: 10px 0; padding: 8px 10px; }
section.file[hidden] { display: none; }
section.file h2 { font-size: 13px; margin: 0 0 6px; font-weight: 600; word-break: break-all; }
section.file h2 .counts { font-weight: 400; color: #4a5560; margin-left: 8px; }
.scroll { overflow-x: auto; }
ul.outside { margin: 0 0 6px; padding-left: 18px; color: var(--failed); font-size: 12px; }
ul.outside .site { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: #4a5560; }
ul.outside .hint { color: #4a5560; }
.canvas { position: relative; min-width: 100%; }
.axis { position: relative; height: 18px; border-bottom: 1px solid #c9d0d7; color: #6b7680; font-size: 11px; }
.tick { position: absolute; top: 0; height: 18px; border-left: 1px solid #c9d0d7; padding-left: 3px; white-space: nowrap; }
.track { position: relative; margin-top: 4px; }
.track-name { font-size: 11px; color: #6b7680; margin-top: 6px; }
.bar { position: absolute; height: calc(var(--row) - 4px); min-width: 2px; padding: 0 4px; border: 0; border-radius: 3px; font: inherit; font-size: 11px; line-height: calc(var(--row) - 4px); text-align: left; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; cursor: pointer; color: #0d1b2a; }
.bar:focus-visible, .bar.selected { outline: 2px solid #1d232a; outline-offset: 1px; z-index: 1; }
.bar.test { background: var(--passed); }
.bar.test.failed { background: var(--failed); color: #fff; }
.bar.test.ran-into { box-shadow: inset 0 0 0 2px var(--allowed); }
.bar.resource { background: var(--resource); color: #fff; }
.bar.resource.closed { background: var(--closed); color: #1d232a; }
.bar.resource.allowed { background: var(--allowed); color: #1d232a; }
.bar.resource.leaked { background: var(--leaked); color: #fff; }
.bar.resource .after { position: absolute; top: 0; bottom: 0; right: 0; background: repeating-linear-gradient(135deg, rgba(255,255,255,.35) 0 4px, transparent 4px 8px); pointer-events: none; }
.bar.resource .label { position: relative; }
.empty { color: #6b7680; font-style: italic; font-size: 12px; }
aside#details { position: fixed; top: 0; right: 0; bottom: 0; width: 370px; overflow-y: auto; background: #fff; border-left: 1px solid #d8dde3; padding: 14px 16px; z-index: 3; }
aside#details h3 { font-size: 14px; margin: 0 0 8px; word-break: break-word; }
aside#details dl { margin: 0; }
aside#details dt { font-weight: 600; color: #4a5560; margin-top: 8px; }
aside#details dd { margin: 2px 0 0; word-break: break-word; }
aside#details .site { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
aside#details .failed { color: var(--failed); font-weight: 600; }
aside#details ul { margin: 2px 0 0; padding-left: 18px; }
aside#details .placeholder { color: #6b7680; }
`

export const pageScript = String.raw`
(function () {
  'use strict'
  var data = JSON.parse(document.getElementById('async-debug-data').textContent)
  var ROW = 22
  var state = { types: new Set(data.types), file: '', all: false, failuresOnly: false, zoom: 1 }
  var selected = null
  var sections = []

  function el(tag, props, children) {
    var node = document.createElement(tag)
    if (props) for (var key in props) {
      if (key === 'text') node.textContent = props[key]
      else if (key === 'className') node.className = props[key]
      else if (key === 'style') node.style.cssText = props[key]
      else node.setAttribute(key, props[key])
    }
    if (children) for (var i = 0; i < children.length; i++) if (children[i] != null) node.appendChild(typeof children[i] === 'string' ? document.createTextNode(children[i]) : children[i])
    return node
  }
  function time(ms) {
    if (ms === 0) return '0'
    if (ms < 1) return Math.round(ms * 1000) + ' µs'
    if (ms < 1000) return (ms < 10 ? ms.toFixed(1) : Math.round(ms)) + ' ms'
    return (ms / 1000).toFixed(2) + ' s'
  }
  function plural(n, word) { return n + ' ' + word + (n === 1 ? '' : 's') }
  function isLeaked(r) { return r.outcome === 'leaked' && !r.reason }
  function resourceClass(r) {
    if (isLeaked(r)) return 'leaked'
    if (r.outcome === 'leaked' || r.outcome === 'allowed' || r.outcome === 'held') return 'allowed'
    if (r.outcome === 'closed' || r.outcome === 'waited for') return 'closed'
    return 'other'
  }
  function shown(r) { return state.types.has(r.type) && (state.all || r.outlived || r.outcome === 'leaked' || r.outcome === 'allowed' || r.outcome === 'held') }

  // Puts each bar on the first row where it overlaps nothing, in order of start.
  function lanes(items) {
    var ends = []
    return items.map(function (item) {
      for (var lane = 0; lane < ends.length; lane++) if (ends[lane] <= item.start) break
      ends[lane] = item.end
      return lane
    })
  }
  function place(node, file, start, end, lane) {
    var span = Math.max(file.end - file.start, 0.001)
    node.style.left = ((start - file.start) / span) * 100 + '%'
    node.style.width = (Math.max(end - start, 0) / span) * 100 + '%'
    node.style.top = lane * ROW + 'px'
  }
  function ticks(axis, file) {
    axis.textContent = ''
    var span = Math.max(file.end - file.start, 0.001)
    var wanted = 8 * state.zoom
    var raw = span / wanted
    var unit = Math.pow(10, Math.floor(Math.log10(raw)))
    var step = [1, 2, 5, 10].map(function (m) { return m * unit }).find(function (s) { return s >= raw })
    for (var t = 0; t <= span; t += step) {
      var tick = el('div', { className: 'tick', text: time(t) })
      tick.style.left = (t / span) * 100 + '%'
      axis.appendChild(tick)
    }
  }

  function renderFile(file) {
    var testTrack = el('div', { className: 'track tests' })
    var rows = 0
    file.tests.forEach(function (test) {
      var bar = el('button', { type: 'button', className: 'bar test' + (test.failed ? ' failed' : ''), 'data-title': test.title, 'data-id': String(test.id), title: test.title + (test.failed ? ' (failed)' : '') }, [test.name])
      place(bar, file, test.start, test.end, test.lane)
      bar.addEventListener('click', function () { select(bar, file, test, null) })
      testTrack.appendChild(bar)
      rows = Math.max(rows, test.lane + 1)
    })
    testTrack.style.height = Math.max(rows, 1) * ROW + 'px'
    var axis = el('div', { className: 'axis' })
    var resourceTrack = el('div', { className: 'track resources' })
    var canvas = el('div', { className: 'canvas' }, [axis, el('div', { className: 'track-name', text: 'tests' }), testTrack, el('div', { className: 'track-name resources-name' }), resourceTrack])
    var failed = file.tests.filter(function (t) { return t.failed }).length
    var leaked = file.resources.filter(isLeaked).length
    var counts = plural(file.tests.length, 'test') + (failed ? ', ' + failed + ' failed' : '') + (leaked ? ', ' + plural(leaked, 'leaked resource') : '') + ', ' + time(file.end - file.start)
    // What its own scopes or its suites' left or did, not a test's: listed, as no bar is theirs.
    var outside = file.found.length ? el('ul', { className: 'outside' }, file.found.map(function (f) {
      return el('li', null, [f.scope + ': ' + f.text, f.site ? el('span', { className: 'site', text: ' created at ' + f.site }) : null, f.type && data.hints[f.type] ? el('div', { className: 'hint', text: 'Hint: ' + data.hints[f.type] }) : null])
    })) : null
    var section = el('section', { className: 'file', 'data-file': file.name }, [el('h2', null, [file.name, el('span', { className: 'counts', text: counts })]), outside, el('div', { className: 'scroll' }, [canvas])])
    var entry = { file: file, section: section, canvas: canvas, axis: axis, resourceTrack: resourceTrack, testBars: testTrack.children, bad: failed > 0 || leaked > 0 || file.found.length > 0 }
    drawResources(entry)
    return entry
  }

  function drawResources(entry) {
    var file = entry.file
    var track = entry.resourceTrack
    track.textContent = ''
    var visible = file.resources.filter(shown)
    var rows = lanes(visible)
    var hidden = file.resources.length - visible.length
    entry.canvas.querySelector('.resources-name').textContent = 'resources that outlived their test' + (state.all ? ', and those closed in it' : '') + ' (' + visible.length + ' drawn' + (hidden ? ', ' + hidden + ' not' : '') + ')'
    var fragment = document.createDocumentFragment()
    visible.forEach(function (r, i) {
      var bar = el('button', { type: 'button', className: 'bar resource ' + resourceClass(r) + ' type-' + r.type, 'data-type': r.type, 'data-outcome': r.outcome, 'data-owner': r.owner, 'data-description': r.description, 'data-id': String(r.id), title: r.description + ' (' + r.outcome + ')' }, [el('span', { className: 'label', text: r.description })])
      place(bar, file, r.start, r.end, rows[i])
      if (r.outlived && r.end > r.ownerEnd && r.end > r.start) {
        var after = el('span', { className: 'after' })
        after.style.width = Math.min(100, ((r.end - Math.max(r.ownerEnd, r.start)) / (r.end - r.start)) * 100) + '%'
        bar.insertBefore(after, bar.firstChild)
      }
      bar.addEventListener('click', function () { select(bar, file, null, r) })
      fragment.appendChild(bar)
    })
    track.appendChild(fragment)
    track.style.height = Math.max(rows.reduce(function (m, l) { return Math.max(m, l + 1) }, 0), visible.length ? 1 : 0) * ROW + 'px'
    if (!visible.length) track.appendChild(el('div', { className: 'empty', text: file.resources.length ? 'none drawn: see the filters above' : 'none tracked' }))
  }

  // The tests a resource ran into: those of its file, besides its own, running after its owner ended and before it did.
  function ranInto(file, r) {
    return file.tests.filter(function (t) { return t.id !== r.ownerTest && t.end > r.ownerEnd && t.start < r.end })
  }

  function select(bar, file, test, r) {
    if (selected) selected.classList.remove('selected')
    document.querySelectorAll('.bar.ran-into').forEach(function (b) { b.classList.remove('ran-into') })
    selected = bar
    bar.classList.add('selected')
    var details = document.getElementById('details')
    details.textContent = ''
    var list = el('dl')
    function row(term, value, className) {
      if (value == null || value === '') return
      list.appendChild(el('dt', { text: term }))
      list.appendChild(typeof value === 'string' ? el('dd', { className: className || '', text: value }) : el('dd', { className: className || '' }, [value]))
    }
    function items(values) { return el('ul', null, values.map(function (v) { return el('li', null, [v]) })) }
    if (test) {
      details.appendChild(el('h3', { text: test.title }))
      row('File', file.name)
      row('Result', test.failed ? 'failed' : 'passed', test.failed ? 'failed' : '')
      row('Errors', test.errors.length ? items(test.errors) : null)
      row('Ran', time(test.end - test.start) + ', from ' + time(test.start - file.start) + ' into its file')
      row('Leaks allowed', test.leaksAllowed)
      row('Found', test.found.length ? items(test.found.map(function (f) {
        return el('span', null, [f.text, f.site ? el('div', { className: 'site', text: 'created at ' + f.site }) : null, f.type && data.hints[f.type] ? el('div', { className: 'hint', text: 'Hint: ' + data.hints[f.type] }) : null])
      })) : null)
      row('Slow callbacks', test.slow.length ? items(test.slow.map(function (s) { return s.text + ', ' + s.took + ' ms' + (s.site ? ' at ' + s.site : '') })) : null)
      var made = file.resources.filter(function (x) { return x.ownerTest === test.id && x.outlived })
      row('Outlived it', made.length ? items(made.map(function (x) { return x.description + ' (' + x.outcome + ')' })) : null)
    } else {
      details.appendChild(el('h3', { text: r.description }))
      row('Type', r.type + ' (' + r.asyncType + ')')
      row('Created at', r.site || 'unknown', 'site')
      row('Hint', data.hints[r.type], 'hint')
      row('Made by', r.owner)
      row('Became', r.outcome + (r.reason ? ': ' + r.reason : ''), isLeaked(r) ? 'failed' : '')
      row('Lived', time(r.end - r.start) + (r.outlived && r.end > r.ownerEnd ? ', ' + time(r.end - r.ownerEnd) + ' after its owner ended' : ''))
      var into = ranInto(file, r)
      into.forEach(function (t) { var b = sections.find(function (s) { return s.file === file }).testBars[t.id]; if (b) b.classList.add('ran-into') })
      row('Ran into', into.length ? items(into.slice(0, 20).map(function (t) { return t.title })) : null)
      if (into.length > 20) list.lastChild.appendChild(el('div', { text: 'and ' + (into.length - 20) + ' more' }))
      row('Its callbacks ran during', r.callbacks.length ? items(r.callbacks.map(function (c) { return c[0] + ' (' + plural(c[1], 'time') + ')' })) : null)
    }
    details.appendChild(list)
  }

  function applyFilters() {
    sections.forEach(function (entry) {
      entry.section.hidden = (state.file !== '' && entry.file.name !== state.file) || (state.failuresOnly && !entry.bad)
      entry.canvas.style.width = state.zoom * 100 + '%'
      ticks(entry.axis, entry.file)
    })
  }
  function redraw() {
    sections.forEach(drawResources)
    applyFilters()
  }

  function controls() {
    var form = document.getElementById('filters')
    var kinds = el('fieldset', { id: 'kinds' }, [el('legend', { text: 'Kinds' })])
    data.types.forEach(function (type) {
      var box = el('input', { type: 'checkbox', name: 'kind', value: type })
      box.checked = true
      box.addEventListener('change', function () { if (box.checked) state.types.add(type); else state.types.delete(type); redraw() })
      kinds.appendChild(el('label', null, [box, ' ' + type]))
    })
    var files = el('select', { id: 'file-filter' }, [el('option', { value: '', text: 'all files (' + data.files.length + ')' })].concat(data.files.map(function (f) { return el('option', { value: f.name, text: f.name }) })))
    files.addEventListener('change', function () { state.file = files.value; applyFilters() })
    var all = el('input', { type: 'checkbox', id: 'all-resources' })
    all.addEventListener('change', function () { state.all = all.checked; redraw() })
    var bad = el('input', { type: 'checkbox', id: 'failures-only' })
    bad.addEventListener('change', function () { state.failuresOnly = bad.checked; applyFilters() })
    var zoom = el('input', { type: 'range', id: 'zoom', min: '1', max: '64', value: '1' })
    zoom.addEventListener('input', function () { state.zoom = Number(zoom.value); applyFilters() })
    form.appendChild(kinds)
    form.appendChild(el('label', null, ['File ', files]))
    form.appendChild(el('label', null, [all, ' also resources closed in their test']))
    form.appendChild(el('label', null, [bad, ' only files with failures or leaks']))
    form.appendChild(el('label', null, ['Zoom ', zoom]))
    var legend = el('div', { className: 'legend' })
    ;[['var(--passed)', 'test passed'], ['var(--failed)', 'failed test, leaked resource'], ['var(--allowed)', 'allowed or held'], ['var(--resource)', 'outlived its test, not a finding'], ['var(--closed)', 'closed']].forEach(function (item) {
      legend.appendChild(el('span', null, [el('span', { className: 'swatch', style: 'background: ' + item[0] }), item[1]]))
    })
    legend.appendChild(el('span', null, [el('span', { className: 'swatch striped' }), 'after its test ended']))
    form.appendChild(legend)
  }

  function summary() {
    var tests = 0, failed = 0, leaked = 0, outlived = 0
    data.files.forEach(function (f) {
      tests += f.tests.length
      f.tests.forEach(function (t) { if (t.failed) failed++ })
      f.resources.forEach(function (r) { if (isLeaked(r)) leaked++; if (r.outlived) outlived++ })
    })
    var node = document.getElementById('summary')
    node.appendChild(document.createTextNode(plural(data.files.length, 'file') + ', ' + plural(tests, 'test') + ' in ' + time(data.duration) + ': '))
    node.appendChild(el('span', { className: failed ? 'bad' : '', text: failed + ' failed' }))
    node.appendChild(document.createTextNode(', '))
    node.appendChild(el('span', { className: leaked ? 'bad' : '', text: plural(leaked, 'leaked resource') }))
    node.appendChild(document.createTextNode(', ' + outlived + ' outlived their test. Click a test or a resource for what it is.'))
  }

  summary()
  controls()
  var main = document.getElementById('files')
  data.files.forEach(function (file) {
    var entry = renderFile(file)
    sections.push(entry)
    main.appendChild(entry.section)
  })
  if (!data.files.length) main.appendChild(el('p', { className: 'empty', text: 'No test file was traced.' }))
  applyFilters()
  document.documentElement.setAttribute('data-drawn', 'true')
})()
`
