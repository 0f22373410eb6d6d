// The layers of src/, lowest first: core (the engine), report (errors and records of what it
// finds), session (a test file's judging, for both runners), then the runner adapters. A layer
// imports only those below it; no module imports itself back, type imports included (a cycle of
// types is a layering that went wrong even when load order survives it).
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src')
const modules = readdirSync(src, { recursive: true }).filter((file) => file.endsWith('.ts')).map((file) => join(src, file))
/** Each module's relative imports and re-exports, as paths of modules. */
const imports = new Map(
  modules.map((file) => {
    const specifiers = [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/gm)].map((m) => m[1])
    return [file, specifiers.map((s) => normalize(join(dirname(file), s.replace(/\.js$/, '.ts')))).filter((path) => existsSync(path))]
  }),
)
const name = (file) => relative(src, file)

// What each layer may import besides itself.
const below = { core: [], report: ['core'], session: ['core', 'report'] }
const layer = (file) => name(file).split(/[/\\]/)[0]

test('core, report and session import only the layers below them: core neither report nor session, none of them the runner adapters', () => {
  const wrong = modules
    .filter((file) => layer(file) in below)
    .flatMap((file) => imports.get(file).filter((to) => layer(to) !== layer(file) && !below[layer(file)].includes(layer(to))).map((to) => `${name(file)} -> ${name(to)}`))
  assert.deepEqual(wrong, [])
})

// The model that every part of the engine and the reports speak of: the leaves import nothing of
// src; the scope, only them and the ledger of its promises.
const model = { 'core/site.ts': [], 'core/resource-types.ts': [], 'core/resource-facts.ts': [], 'core/scope.ts': ['core/site.ts', 'core/resource-types.ts', 'core/resource-facts.ts', 'core/promises/ledger.ts'] }

test('the model imports nothing but the model', () => {
  const wrong = Object.entries(model).flatMap(([file, allowed]) => imports.get(join(src, file)).map(name).filter((to) => !allowed.includes(to)).map((to) => `${file} -> ${to}`))
  assert.deepEqual(wrong, [])
})

test('no import cycle in src, type imports included', () => {
  // Depth-first, with the path kept: the first edge back onto the path is a cycle.
  const done = new Set()
  const cycles = []
  const visit = (file, path) => {
    if (path.includes(file)) return void cycles.push([...path.slice(path.indexOf(file)), file].map(name).join(' -> '))
    if (done.has(file)) return
    for (const to of imports.get(file)) visit(to, [...path, file])
    done.add(file)
  }
  for (const file of modules) visit(file, [])
  assert.deepEqual(cycles, [])
})
