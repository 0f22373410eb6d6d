import diagnostics_channel from 'node:diagnostics_channel'
import type { Scope } from '../scope.js'

/** An HTTP request in flight, sent with fetch() (undici) or Node's http client. */
export interface InFlight {
  readonly client: 'fetch' | 'http'
  /** undici's request, or Node's ClientRequest. */
  readonly request: Record<string | symbol, any>
  /** The socket it was sent on, once it was. */
  socket: Record<string, any> | undefined
  /** The client end of that socket (`address:port`), once it was connected. */
  endpoint: string | undefined
  done: boolean
  /** Whether a server of the process has read it. */
  read: boolean
}

/** Whether a request is over: answered, failed, aborted or destroyed. */
export const settled = ({ done, request }: InFlight): boolean =>
  done || request.destroyed === true || request.aborted === true || request.completed === true

/** What the requests source needs of the engine. */
export interface RequestSink {
  /** Records a request as created by the code running now. */
  sent(request: InFlight): void
  /** The scope that sent `request`, judged or not. */
  ownerOf(request: InFlight): Scope | undefined
  /** Makes the code running now, and what it starts, belong to `scope`. */
  enter(scope: Scope): void
}

const SWEEP_AT = 64

/** Where Node's fetch (undici) says that it made a request, off its caller's stack. */
export const FETCH_REQUEST_CREATED = 'undici:request:create'

const channels = {
  fetchCreate: FETCH_REQUEST_CREATED,
  fetchSent: 'undici:client:sendHeaders',
  fetchDone: 'undici:request:trailers',
  fetchError: 'undici:request:error',
  httpStart: 'http.client.request.start',
  httpDone: 'http.client.response.finish',
  serverRequest: 'http.server.request.start',
} as const

/**
 * Tracks HTTP requests in flight through Node's diagnostics channels, so that a request belongs to
 * the test that sent it, whichever test opened the keep-alive socket it travels on. When the server
 * that answers lives in the same process, the work it does for a request belongs to that test too:
 * a timer its handler starts, a response it never ends. Returns a function that stops it.
 */
export function trackRequests(sink: RequestSink): () => void {
  const byRequest = new WeakMap<object, InFlight>()
  const inFlight = new Set<InFlight>()
  // Requests that failed or were destroyed unread, by their client end: a loaded machine may let a
  // test end, and its request be disposed of, before a server of the process reads what was sent.
  const failed = new Map<string, InFlight>()
  const drop = (entry: InFlight): void => {
    inFlight.delete(entry)
    if (entry.endpoint === undefined || entry.read) return
    failed.delete(entry.endpoint)
    failed.set(entry.endpoint, entry)
    if (failed.size > SWEEP_AT) failed.delete(failed.keys().next().value as string)
  }
  // A request destroyed with no response never reaches a channel again: swept as the set grows.
  let sweepAt = SWEEP_AT
  const start = (client: InFlight['client'], request: object): InFlight => {
    const entry: InFlight = { client, request: request as InFlight['request'], socket: undefined, endpoint: undefined, done: false, read: false }
    byRequest.set(request, entry)
    inFlight.add(entry)
    if (inFlight.size >= sweepAt) {
      for (const other of inFlight) if (settled(other)) drop(other)
      sweepAt = Math.max(SWEEP_AT, 2 * inFlight.size)
    }
    sink.sent(entry)
    return entry
  }
  const finish = (request: object, failing: boolean): void => {
    const entry = byRequest.get(request)
    if (!entry) return
    entry.done = true
    if (failing) drop(entry)
    else inFlight.delete(entry)
  }
  /** The request in flight, or failed, whose client end is the other end of a socket a server accepted. */
  const requester = (server: { remotePort?: number; remoteAddress?: string }): InFlight | undefined => {
    const endpoint = endpointOf(server.remoteAddress, server.remotePort)
    if (endpoint === undefined) return undefined
    let entry: InFlight | undefined
    for (const other of inFlight) {
      if (settled(other)) drop(other)
      else if (clientEnd(other) === endpoint) {
        entry = other
        break
      }
    }
    entry ??= failed.get(endpoint)
    failed.delete(endpoint)
    if (entry) entry.read = true
    return entry
  }
  const handlers: Record<string, (message: any) => void> = {
    [channels.fetchCreate]: ({ request }) => start('fetch', request),
    [channels.fetchSent]: ({ request, socket }) => {
      const entry = byRequest.get(request)
      if (!entry) return
      entry.socket = socket
      clientEnd(entry)
    },
    [channels.fetchDone]: ({ request }) => finish(request, false),
    [channels.fetchError]: ({ request }) => finish(request, true),
    [channels.httpStart]: ({ request }) => clientEnd(start('http', request)),
    [channels.httpDone]: ({ request }) => finish(request, false),
    // Before the server emits 'request': its handler runs as code of the test that sent it, even
    // one judged already (its code went on, or disposing of its request made it retry): the
    // server's owner is not to blame for what a request it did not send makes it do.
    [channels.serverRequest]: ({ socket }) => {
      const client = requester(socket)
      const owner = client && sink.ownerOf(client)
      if (owner) sink.enter(owner)
    },
  }
  for (const [name, handler] of Object.entries(handlers)) diagnostics_channel.subscribe(name, handler)
  return () => {
    for (const [name, handler] of Object.entries(handlers)) diagnostics_channel.unsubscribe(name, handler)
  }
}

// An IPv4 address as a dual-stack server sees it (`::ffff:127.0.0.1`) is the client's `127.0.0.1`.
const endpointOf = (address: string | undefined, port: number | undefined): string | undefined =>
  port === undefined ? undefined : `${address?.replace(/^::ffff:(?=\d+\.)/, '')}:${port}`

/**
 * The client end (`address:port`) of the socket `request` travels on, once it is connected. Read it
 * before destroying the socket: a destroyed socket tells only what was read of it before.
 */
export function clientEnd(request: InFlight): string | undefined {
  if (request.endpoint !== undefined) return request.endpoint
  const socket = request.socket ?? request.request.socket
  if (!socket || socket.connecting) return undefined
  return (request.endpoint = endpointOf(socket.localAddress, socket.localPort))
}
