import assert from 'node:assert/strict'
import { test } from 'node:test'
import { observeProcess } from './helpers/core.mjs'

const observer = (seen) => ({ uncaught: () => true, unhandledRejection: () => true, rejectionHandled() {}, warning: (w) => (seen.push(w.message), true) })
const warn = (message) => process.emit('warning', Object.assign(new Error(message), { name: 'TestWarning' }))

// signal-exit v4 (loaded by write-file-atomic, which Jest uses for its cache) saves process.emit
// when it loads and puts that value back when it unloads, after every cache write.
test('an observer registered after someone saved process.emit still sees warnings once that value is put back', () => {
  const first = []
  const stopFirst = observeProcess(observer(first))
  const saved = process.emit
  process.emit = function (...args) { return saved.apply(this, args) }
  stopFirst()
  const second = []
  const stopSecond = observeProcess(observer(second))
  warn('while theirs is on top')
  process.emit = saved
  warn('after theirs was put back')
  stopSecond()
  warn('after stopping')
  assert.deepEqual(first, [])
  // Seen once each, though two layers of ours are in the chain while theirs is on top.
  assert.deepEqual(second, ['while theirs is on top', 'after theirs was put back'])
})
