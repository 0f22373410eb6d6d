import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startServer, stopServer } from 'async-debug-example-app/server'

const users = new Map([['1', { name: 'Ada' }]])

describe('with a server per suite', () => {
  let server
  beforeAll(async () => (server = await startServer(users)))
  afterAll(() => stopServer(server))

  test('finds a user', async () => {
    const response = await fetch(`http://127.0.0.1:${server.address().port}/users/1`)
    expect(await response.json()).toEqual({ name: 'Ada' })
  })
})

test('leaks: a server started by the test and never closed', async () => {
  // deliberate leak: no stopServer(server)
  const server = await startServer(users)
  const response = await fetch(`http://127.0.0.1:${server.address().port}/users/2`)
  expect(response.status).toBe(404)
})
