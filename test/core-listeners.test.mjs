import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { test } from 'node:test'
import { trackListeners } from './helpers/core.mjs'

// Scopes as trackListeners sees them: who is running, and whether it was judged.
const scope = (judged = false) => ({ judged })

/** Tracks listeners with `running` as the scope running now; returns the sites it took. */
function track(run) {
  const state = { running: undefined }
  const sites = []
  const listeners = trackListeners(
    () => state.running,
    () => {
      const site = { cause: undefined }
      sites.push(site)
      return site
    },
  )
  try {
    run(state, listeners, sites)
  } finally {
    listeners.stop()
  }
}

test("an emitter that code of a judged scope makes is the first adding scope's own: its first listener there takes no stack, another scope's does", () => {
  track((state, listeners, sites) => {
    const [judged, a, b] = [scope(true), scope(), scope()]
    state.running = judged
    // The next response on a keep-alive socket, parsed in the context of the test that opened it.
    const response = new EventEmitter()
    state.running = a
    response.on('data', () => {})
    response.on('end', () => {})
    assert.equal(sites.length, 0)
    assert.equal(listeners.owners(response, 'data').get(a)?.site, undefined)
    // Another test adding to it while the first one's listener is attached: recorded, where it can outlive that test.
    state.running = b
    response.on('data', () => {})
    assert.equal(listeners.owners(response, 'data').get(b)?.site, sites[0])
    assert.equal(sites.length, 1)
  })
})

test('an emitter made outside every scope, or by a scope judged only after, is not the adding scope\'s own: its listener takes a stack', () => {
  track((state, listeners, sites) => {
    const [a, b] = [scope(), scope()]
    const shared = new EventEmitter()
    state.running = a
    // A keep-alive socket: made while its test ran, used by the tests after it.
    const socket = new EventEmitter()
    shared.on('change', () => {})
    a.judged = true
    state.running = b
    socket.on('close', () => {})
    assert.equal(listeners.owners(shared, 'change').get(a)?.site, sites[0])
    assert.equal(listeners.owners(socket, 'close').get(b)?.site, sites[1])
    assert.equal(sites.length, 2)
  })
})
