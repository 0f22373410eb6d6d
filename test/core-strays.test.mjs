import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Engine, Ownership, resolveOptions, Scope, Strays } from './helpers/core.mjs'

const site = { cause: undefined, stack: 'Error\n    at /repo/src/cache.js:12:5' }

test("an ended test's resource that is alive turns the hook on; its callbacks are noted on the tests open, counted; gone, the hook is off", async () => {
  const ownership = new Ownership()
  const strays = new Strays(ownership)
  const file = new Scope('file', 'f.test.js')
  const ended = new Scope('test', 'warms up', file)
  const running = new Scope('test', 'reads', file)
  ownership.open.add(file).add(running)
  let ticks = 0
  let ticked
  const ticking = new Promise((resolve) => (ticked = resolve))
  const timer = setInterval(() => ++ticks === 2 && ticked(), 1)
  try {
    strays.ended(ended, [{ asyncType: 'Timeout', resource: timer, owner: ended, createdAt: 0, site }])
    assert.equal(strays.watching, true)
    await ticking
  } finally {
    clearInterval(timer)
  }
  const noted = [...running.strays.values()]
  assert.deepEqual(noted.map(({ from, runs, finding, site }) => ({ from: from.name, runs, type: finding.type, site })), [{ from: 'warms up', runs: 2, type: 'interval', site }])
  assert.equal(file.strays, undefined)
  strays.testOpened()
  assert.equal(strays.watching, false)
})

test('a test that leaves nothing alive turns nothing on', () => {
  const strays = new Strays(new Ownership())
  const ended = new Scope('test', 'clean')
  const timer = setTimeout(() => {}, 1)
  clearTimeout(timer)
  strays.ended(ended, [{ asyncType: 'Timeout', resource: timer, owner: ended, createdAt: 0, site }])
  assert.equal(strays.watching, false)
  assert.equal(typeof ended.endedAt, 'number')
})

test("a timer set by the callback of one an ended test left is watched as that one's, made where it was", async () => {
  const engine = new Engine(resolveOptions({ settleMs: 20 })).enable()
  try {
    const file = engine.open('file', 'f.test.js')
    const first = engine.open('test', 'polls', file)
    const links = []
    let linked
    const chained = new Promise((resolve) => (linked = resolve))
    const link = () => {
      links.push(setTimeout(() => (links.length < 4 ? link() : linked()), 5))
      engine.allowPending(links.at(-1), 'polls on purpose')
    }
    engine.run(first, link)
    assert.deepEqual(await engine.close(first), [])
    const second = engine.open('test', 'reads', file)
    await chained
    const [stray] = second.strays.values()
    assert.equal(second.strays.size >= 3, true, `${second.strays.size} timers noted`)
    assert.equal(stray.from, first)
    assert.match(stray.site.stack, /core-strays\.test\.mjs/)
    await engine.close(second)
  } finally {
    engine.disable()
  }
})
