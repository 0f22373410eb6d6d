import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startServer, stopServer } from 'async-debug-example-app/server'

const users = new Map([['7', { name: 'Grace' }]])

describe('users service', () => {
  let server
  let base
  beforeAll(async () => {
    server = await startServer(users)
    base = `http://127.0.0.1:${server.address().port}`
  })
  afterAll(() => stopServer(server))

  it('answers 404 for an unknown user', async () => {
    const response = await fetch(`${base}/users/404`)
    expect(response.status).toBe(404)
  })

  it('leaks: a second server for one request, left listening', async () => {
    // deliberate leak: startServer() without a stopServer() in this test
    const extra = await startServer(users)
    const response = await fetch(`http://127.0.0.1:${extra.address().port}/users/7`)
    expect(await response.json()).toEqual({ name: 'Grace' })
  })
})
