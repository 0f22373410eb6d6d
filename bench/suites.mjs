// The benchmark's synthetic suites (issue "Cheap enough to leave on in CI"; web: "Cost on real suites"): 8 files x 50 tests
// each, written once as ESM for Vitest and once as CommonJS for Jest, with the same bodies.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const FILES = 8
export const TESTS = 50

/** Per suite: what each file imports, its per-file hooks, and one test body (`i` numbers it). */
const suites = {
  light: {
    imports: [],
    hooks: '',
    body: (i) => `
  await new Promise((resolve) => setTimeout(resolve, 0))
  await new Promise((resolve) => setImmediate(resolve))
  const data = JSON.parse(JSON.stringify({ i: ${i}, list: Array.from({ length: 50 }, (_, k) => k) }))
  clearTimeout(setTimeout(() => {}, 1000))
  expect(data.list.length).toBe(50)`,
  },
  promises: {
    imports: [],
    hooks: `
async function leaf(n) {
  return n + 1
}
async function twoLevels(n) {
  return (await leaf(n)) * 2
}`,
    body: () => `
  let sum = 0
  for (let k = 0; k < 2000; k++) sum += await twoLevels(k)
  const all = await Promise.all(Array.from({ length: 200 }, (_, k) => twoLevels(k)))
  expect(sum + all.length).toBeGreaterThan(0)`,
  },
  io: {
    imports: [
      ['http', 'node:http'],
      ['fsp', 'node:fs/promises'],
    ],
    hooks: `
let server
let url
beforeAll(async () => {
  server = http.createServer((_, res) => res.end('ok'))
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = \`http://127.0.0.1:\${server.address().port}/\`
})
afterAll(() => new Promise((resolve) => server.close(resolve)))
function get() {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      let body = ''
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve(body))
    }).on('error', reject)
  })
}`,
    body: () => `
  expect(await get()).toBe('ok')
  expect((await fsp.readFile(FILE, 'utf8')).length).toBeGreaterThan(0)`,
  },
  // What web-framework suites do: a server started once, tests that fetch() it with the default
  // keep-alive agent, JSON in and out, a Request read through a clone, a stream piped through a
  // TransformStream, and a Response left unread.
  web: {
    imports: [['http', 'node:http']],
    hooks: `
let server
let url
beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ got: body ? JSON.parse(body) : null, path: req.url }))
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = \`http://127.0.0.1:\${server.address().port}\`
})
afterAll(() => {
  server.closeAllConnections()
  return new Promise((resolve) => server.close(resolve))
})
const upper = () => new TransformStream({ transform: (chunk, controller) => controller.enqueue(chunk.toUpperCase()) })`,
    body: (i) => `
  const response = await fetch(\`\${url}/items/${i}\`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ i: ${i} }) })
  expect((await response.json()).got.i).toBe(${i})
  const request = new Request(\`\${url}/echo\`, { method: 'POST', body: 'hello' })
  expect(await request.clone().text()).toBe('hello')
  const piped = new ReadableStream({ start: (controller) => (controller.enqueue('abc'), controller.close()) }).pipeThrough(upper())
  let text = ''
  for await (const chunk of piped) text += chunk
  expect(text).toBe('ABC')
  const unread = await fetch(\`\${url}/unread\`)
  expect(unread.status).toBe(200)`,
  },
}

export const suiteNames = Object.keys(suites)

function source(name, format, file) {
  const { imports, hooks, body } = suites[name]
  const lines = imports.map(([id, from]) => (format === 'esm' ? `import ${id} from '${from}'` : `const ${id} = require('${from}')`))
  if (name === 'io') lines.push(`const FILE = ${format === 'esm' ? 'new URL(import.meta.url).pathname' : '__filename'}`)
  const tests = Array.from({ length: TESTS }, (_, t) => `test('${name} ${file}.${t}', async () => {${body(file * TESTS + t)}\n})`)
  return `${lines.join('\n')}\n${hooks}\n\n${tests.join('\n\n')}\n`
}

/** Writes every suite under `root`: `root/<suite>/{esm,cjs}/*.test.js`. */
export function writeSuites(root) {
  for (const name of suiteNames)
    for (const format of ['esm', 'cjs']) {
      const dir = join(root, name, format)
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: format === 'esm' ? 'module' : 'commonjs' }))
      for (let f = 0; f < FILES; f++) writeFileSync(join(dir, `f${f}.test.js`), source(name, format, f))
    }
}
