import diagnostics_channel from 'node:diagnostics_channel'
import type { Scope } from '../scope.js'

/** An HTTP request in flight, sent with fetch() (undici) or Node's http client. */
export interface InFlight {
  readonly client: 'fetch' | 'http'
  /** undici's request, or Node's ClientRequest. */
  readonly request: Record<string | symbol, any>
  /** The socket it was sent on, once it was. */
  socket: Record<string, any> | undefined
  done: boolean
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
  // A request destroyed with no response never reaches a channel again: swept as the set grows.
  let sweepAt = SWEEP_AT
  const start = (client: InFlight['client'], request: object, socket?: object): void => {
    const entry: InFlight = { client, request: request as InFlight['request'], socket: socket as InFlight['socket'], done: false }
    byRequest.set(request, entry)
    inFlight.add(entry)
    if (inFlight.size >= sweepAt) {
      for (const other of inFlight) if (settled(other)) inFlight.delete(other)
      sweepAt = Math.max(SWEEP_AT, 2 * inFlight.size)
    }
    sink.sent(entry)
  }
  const finish = ({ request }: { request: object }): void => {
    const entry = byRequest.get(request)
    if (!entry) return
    entry.done = true
    inFlight.delete(entry)
  }
  const handlers: Record<string, (message: any) => void> = {
    [channels.fetchCreate]: ({ request }) => start('fetch', request),
    [channels.fetchSent]: ({ request, socket }) => {
      const entry = byRequest.get(request)
      if (entry) entry.socket = socket
    },
    [channels.fetchDone]: finish,
    [channels.fetchError]: finish,
    [channels.httpStart]: ({ request }) => start('http', request),
    [channels.httpDone]: finish,
    // Before the server emits 'request': its handler runs as code of the test that sent it, even
    // one judged already (its code went on, or disposing of its request made it retry): the
    // server's owner is not to blame for what a request it did not send makes it do.
    [channels.serverRequest]: ({ socket }) => {
      const client = requester(inFlight, socket)
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
const plain = (address: string | undefined): string | undefined => address?.replace(/^::ffff:(?=\d+\.)/, '')

/**
 * The request in flight whose client socket is the other end of `server`, a socket a server accepted;
 * else the last one over that socket that settled already: a loaded machine may let a test end, and
 * its request be aborted, before the server reads what was sent, and its work for it is still not
 * the server's owner's.
 */
function requester(inFlight: Set<InFlight>, server: { remotePort?: number; remoteAddress?: string }): InFlight | undefined {
  let over: InFlight | undefined
  for (const entry of inFlight) {
    const socket = entry.socket ?? entry.request.socket
    const matches = socket !== undefined && socket !== null && socket.localPort === server.remotePort && plain(socket.localAddress) === plain(server.remoteAddress)
    if (!settled(entry)) {
      if (matches) return entry
    } else {
      inFlight.delete(entry)
      if (matches) over = entry
    }
  }
  return over
}
