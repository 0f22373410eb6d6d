import { createServer } from 'node:http'

/** A tiny JSON service: GET /users/:id. Resolves to the listening server. */
export function startServer(users) {
  const server = createServer((request, response) => {
    const id = request.url?.match(/^\/users\/(\w+)$/)?.[1]
    const user = id && users.get(id)
    response.writeHead(user ? 200 : 404, { 'content-type': 'application/json' })
    response.end(JSON.stringify(user ?? { error: 'not found' }))
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

export const stopServer = (server) => new Promise((resolve) => server.close(resolve))
