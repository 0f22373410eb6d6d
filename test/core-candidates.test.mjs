import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Candidates } from './helpers/core.mjs'

const pending = () => new Promise(() => {})

test('a promise chained on is forgotten, whether it is the newest or one below it', () => {
  const candidates = new Candidates()
  const [a, b, c] = [pending(), pending(), pending()]
  candidates.add(1, a)
  candidates.add(5, b)
  candidates.add(9, c)
  candidates.delete(9)
  assert.deepEqual([...candidates], [a, b])
  candidates.add(12, c)
  candidates.delete(1)
  assert.deepEqual([...candidates], [b, c])
  // Keys never added, and keys already forgotten, change nothing.
  candidates.delete(3)
  candidates.delete(1)
  candidates.delete(40)
  assert.deepEqual([...candidates], [b, c])
  candidates.delete(12)
  candidates.delete(5)
  assert.deepEqual([...candidates], [])
})

test('forget() drops a promise by identity, at the top or below it, and ignores one it never had', () => {
  const candidates = new Candidates()
  const [a, b, c] = [pending(), pending(), pending()]
  candidates.add(1, a)
  candidates.add(2, b)
  candidates.add(3, c)
  candidates.forget(c)
  candidates.forget(a)
  candidates.forget(pending())
  assert.deepEqual([...candidates], [b])
  candidates.forget(b)
  candidates.forget(b)
  assert.deepEqual([...candidates], [])
})

test('many promises chained on out of order are forgotten, and the rest kept in order', () => {
  const candidates = new Candidates()
  const promises = Array.from({ length: 1000 }, pending)
  promises.forEach((promise, i) => candidates.add(i * 2, promise))
  for (let i = 0; i < 1000; i++) if (i % 3 !== 0) candidates.delete(i * 2)
  assert.deepEqual([...candidates], promises.filter((_, i) => i % 3 === 0))
})

test('settled promises are pruned once a scope holds thousands, pending ones kept', () => {
  const candidates = new Candidates()
  const kept = []
  for (let i = 0; i < 5000; i++) {
    const promise = i % 100 === 0 ? pending() : Promise.resolve(i)
    if (i % 100 === 0) kept.push(promise)
    candidates.add(i, promise)
  }
  const left = [...candidates]
  assert.ok(left.length < 1000, `expected the settled promises to be pruned, ${left.length} left`)
  for (const promise of kept) assert.ok(left.includes(promise))
})
