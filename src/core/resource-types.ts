import type { FakeClock, PendingUnder, Reinstalled } from './fake-timers.js'
import type { ResourceType } from './resource-kinds.js'
import { type Descriptor, closeDescriptor } from './sources/fs-descriptors.js'
import { type InFlight, settled } from './sources/http-requests.js'
import { CONNECT_TARGET, LISTEN_SITE, REQUEST_SITE } from './patches.js'
import { clearImmediate, clearTimeout } from './real-timers.js'
import type { Site } from './site.js'

/**
 * What each tracked async_hooks resource type means to a user: how to tell that it is still
 * alive, how to describe it, and how to dispose of it once it has been reported.
 * Types that are not here (promises, requests, ticks, stdio) are not tracked at all.
 */

/** The fields of Node's objects that we read. All optional: they are Node internals. */
interface Handle {
  hasRef?(): boolean | undefined
  close?(): unknown
  stopThread?(): void
  fd?: number
  threadId?: number
  _destroyed?: boolean
  _idleTimeout?: number
  _repeat?: number | null
}

interface Kind {
  /** Whether it still represents ongoing work. `countUnref`: unref'd handles count too. */
  alive(resource: Handle, countUnref: boolean): boolean
  describe(resource: Handle, owner: any): string
  /** Stops it, once it has been reported; absent where nothing of it is the scope's to stop. */
  dispose?(resource: Handle, owner: any): void
  /**
   * Asked to stop and stopping on its own (a child sent a signal, a socket ended): waited for as long
   * as a loaded machine may take to finish it, and no leak if it does.
   */
  closing?(resource: Handle, owner: any): boolean
  /** Resources that a finding of this one already explains, such as a child's stdio pipes. */
  covers?(resource: Handle, owner: any): unknown[]
  /** Where the user started what created it, when that was not on its own stack. */
  origin?(resource: Handle, owner: any): Site | undefined
  /** Only ever made through the runner's code on a test's behalf: the rule for the runner's own resources spares it. */
  forTests?: true
  /**
   * Runs no code by itself, only when a client comes (a listening server): a test may leave it to
   * an afterAll around it to close, so it is judged when the outermost suite, or the file, ends.
   */
  passive?: true
}

const timerAlive = (t: Handle, countUnref: boolean): boolean =>
  t._destroyed === false && (countUnref || t.hasRef?.() === true)

// A closed handle answers hasRef() with undefined; an open unref'd one with false.
const handleAlive = (h: Handle, countUnref: boolean): boolean => {
  const ref = h.hasRef?.()
  return ref === true || (countUnref && ref === false)
}

const asClock = (h: Handle): FakeClock => h as unknown as FakeClock
const asRequest = (h: Handle): InFlight => h as unknown as InFlight
const asDescriptor = (h: Handle): Descriptor => h as unknown as Descriptor
const asPendingUnder = (h: Handle): PendingUnder => h as unknown as PendingUnder
const asReinstalled = (h: Handle): Reinstalled => h as unknown as Reinstalled
// How many fake timers are pending beyond those there were before: the test's own.
const addedPending = ({ clock, baseline }: { clock: FakeClock; baseline: number }): number => (clock.installed() ? clock.pending() - baseline : 0)
const fakeTimers = (n: number): string => `${n} fake timer${n === 1 ? '' : 's'}`

const address = (a: any): string =>
  a && typeof a === 'object' ? `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}` : String(a)

const close = (_: Handle, owner: any): void => owner?.close?.()

const DISPOSED = 'async-debug disposed of this request: the test that sent it had ended'

const kinds: Record<string, Kind & { type: ResourceType | ((r: Handle) => ResourceType) }> = {
  Timeout: {
    type: (t) => (t._repeat == null ? 'timeout' : 'interval'),
    alive: timerAlive,
    describe: (t) => (t._repeat == null ? `setTimeout of ${t._idleTimeout} ms` : `setInterval every ${t._repeat} ms`),
    dispose: (t) => clearTimeout(t as NodeJS.Timeout),
  },
  Immediate: {
    type: 'immediate',
    alive: timerAlive,
    describe: () => 'setImmediate callback',
    dispose: (t) => clearImmediate(t as NodeJS.Immediate),
  },
  TCPSERVERWRAP: {
    type: 'server',
    passive: true,
    alive: handleAlive,
    describe: (_, server) =>
      `${typeof server?.closeAllConnections === 'function' ? 'HTTP' : 'TCP'} server listening on ${address(server?.address?.())}`,
    dispose: (_, server) => {
      server?.close?.()
      server?.closeAllConnections?.()
    },
    origin: (_, server) => server?.[LISTEN_SITE],
  },
  PIPESERVERWRAP: {
    type: 'server',
    passive: true,
    alive: handleAlive,
    describe: (_, server) => `server listening on pipe ${server?.address?.() ?? ''}`.trimEnd(),
    dispose: close,
    origin: (_, server) => server?.[LISTEN_SITE],
  },
  TCPWRAP: {
    type: 'socket',
    // A socket being destroyed still has its handle until the close callback: it is not alive.
    alive: (h, countUnref) => handleAlive(h, countUnref) && ownerOf(h)?.destroyed !== true,
    describe: (_, socket) => {
      const request = socket?._httpMessage
      if (request?.method && !socket.server) return `HTTP request ${request.method} ${request.protocol ?? 'http:'}//${request.host}${request.path} still open`
      // Still connecting: where to; closing: no addresses to give.
      const ends = socket?.remotePort !== undefined ? ` ${socket.localAddress}:${socket.localPort} -> ${socket.remoteAddress}:${socket.remotePort}` : connecting(socket)
      return socket?.server ? `TCP connection${ends} accepted by a server` : `TCP socket${ends}`
    },
    closing: (_, socket) => socket?.writableEnded === true,
    dispose: (_, socket) => socket?.destroy?.(),
  },
  PIPEWRAP: {
    type: 'socket',
    alive: (h, countUnref) => !(h.fd !== undefined && h.fd >= 0 && h.fd <= 2) && handleAlive(h, countUnref),
    describe: (_, socket) => `pipe socket${connecting(socket)}`,
    closing: (_, socket) => socket?.writableEnded === true,
    dispose: (_, socket) => socket?.destroy?.(),
  },
  // Recorded from Node's diagnostics channels, not by async_hooks: see sources/http-requests.ts.
  HTTP_REQUEST: {
    type: 'request',
    alive: (h) => !settled(asRequest(h)),
    describe: (h) => {
      const { client, request } = asRequest(h)
      const url = client === 'fetch' ? `${request.origin}${request.path}` : `${request.protocol ?? 'http:'}//${request.getHeader?.('host') ?? request.host}${request.path}`
      return `HTTP request ${request.method} ${url} still in flight (${client === 'fetch' ? 'fetch()' : 'http client'})`
    },
    dispose: (h) => {
      const { client, request, socket } = asRequest(h)
      if (client === 'http') request.destroy?.()
      else if (socket) socket.destroy?.()
      // Not sent yet (still connecting, or queued: a loaded machine is slow to): undici's request
      // aborts itself when it connects, or now if it has.
      else if (typeof request.abort === 'function') request.abort(new Error(DISPOSED))
      else request.error = new Error(DISPOSED)
    },
    origin: (h) => asRequest(h).request[REQUEST_SITE],
    // The socket it travels on is the request's, whichever test opened it.
    covers: (h) => {
      const { request, socket } = asRequest(h)
      return [(socket ?? request.socket)?._handle]
    },
  },
  UDPWRAP: {
    type: 'udp-socket',
    alive: handleAlive,
    describe: (_, socket) => {
      let bound = ''
      try {
        bound = ` bound to ${address(socket.address())}`
      } catch {
        // not bound yet
      }
      return `UDP socket${bound}`
    },
    dispose: close,
  },
  PROCESSWRAP: {
    type: 'child-process',
    alive: handleAlive,
    describe: (_, child) => `child process '${(child?.spawnargs ?? []).join(' ')}' pid ${child?.pid}`,
    closing: (_, child) => child?.killed === true,
    dispose: (_, child) => child?.kill?.('SIGKILL'),
    covers: (_, child) => (child?.stdio ?? []).map((stream: any) => stream?._handle),
  },
  FSEVENTWRAP: {
    type: 'watcher',
    alive: handleAlive,
    describe: () => 'fs.watch() watcher',
    dispose: close,
  },
  STATWATCHER: {
    type: 'watcher',
    alive: handleAlive,
    describe: () => 'fs.watchFile() watcher',
    dispose: (_, watcher) => watcher?.stop?.(),
  },
  // Recorded by the fs.promises.open() patch, not by async_hooks: see patches.ts.
  FileHandle: {
    type: 'file-handle',
    // It holds a descriptor, not the event loop: it counts whatever its ref state. Closed: fd -1.
    alive: (h) => typeof h.fd === 'number' && h.fd >= 0,
    describe: (h) => `file handle (fd ${h.fd}) from fs.promises.open()`,
    dispose: (h) => {
      Promise.resolve(h.close?.()).catch(() => {})
    },
  },
  // Recorded by sources/fs-descriptors.ts, not by async_hooks: fs.open() and the streams that use it.
  FILE_DESCRIPTOR: {
    type: 'file-handle',
    // It holds a descriptor, not the event loop.
    alive: (h) => !asDescriptor(h).closed,
    describe: (h) => {
      const { fd, path, flags } = asDescriptor(h)
      return `file descriptor ${fd} open on ${path} (flags '${flags}'), from fs.open() or an fs stream`
    },
    dispose: (h) => closeDescriptor(asDescriptor(h)),
  },
  WORKER: {
    type: 'worker',
    alive: handleAlive,
    describe: (h) => `worker thread ${h.threadId}`,
    dispose: (h) => h.stopThread?.(),
  },
  // Recorded when a test or hook installs a runner's fake timers: see Engine.watchFakeTimers.
  // Left installed with nothing pending, they are harmless (a habit of beforeEach hooks): only
  // fake timers still pending are work that will never run.
  FAKE_TIMERS: {
    type: 'fake-timers',
    forTests: true,
    alive: (clock) => asClock(clock).installed() && asClock(clock).pending() > 0,
    describe: (h) => {
      const clock = asClock(h)
      const pending = clock.pending()
      return `fake timers still installed (${clock.api}.useFakeTimers()${pending > 0 ? `, ${pending} fake timer${pending === 1 ? '' : 's'} pending` : ''})`
    },
    dispose: (clock) => asClock(clock).restore(),
  },
  // Not an async_hooks type: recorded by the engine when a test starts under a suite's fake clock.
  FAKE_TIMERS_PENDING: {
    type: 'fake-timers',
    forTests: true,
    alive: (h) => addedPending(asPendingUnder(h)) > 0,
    describe: (h) => {
      const under = asPendingUnder(h)
      return `${fakeTimers(addedPending(under))} left pending under the fake timers that ${under.installer} installed (${under.clock.api}.useFakeTimers())`
    },
    // No dispose: the clock is its installer's to restore, and the test's own fake timers cannot be told apart to drop.
  },
  // Recorded when a test or hook installs fake timers again over those of the file, a suite or the
  // runner (Jest's fakeTimers.enableGlobally): what it leaves pending is dropped, the clock stays.
  FAKE_TIMERS_AGAIN: {
    type: 'fake-timers',
    forTests: true,
    alive: (h) => addedPending(asReinstalled(h)) > 0,
    describe: (h) => {
      const again = asReinstalled(h)
      return `${fakeTimers(addedPending(again))} left pending under the fake timers it installed again (${again.clock.api}.useFakeTimers())`
    },
    dispose: (h) => asReinstalled(h).clock.clear(),
  },
  MESSAGEPORT: {
    type: 'message-port',
    alive: handleAlive,
    describe: () => 'MessagePort receiving messages',
    dispose: (h) => h.close?.(),
  },
}

// ` connecting to <where>` for a socket that has not connected yet.
const connecting = (socket: Record<string | symbol, any> | undefined): string => (socket?.connecting === true && socket[CONNECT_TARGET] !== undefined ? ` connecting to ${socket[CONNECT_TARGET]}` : '')

/** Whether async_hooks type `type` is tracked. */
export const isTrackedType = (type: string): boolean => Object.hasOwn(kinds, type)

const ownerSymbols = new WeakMap<object, symbol | null>()

/** The JS object (Server, Socket, ChildProcess...) that Node links to a native handle. */
export function ownerOf(resource: object): any {
  const proto = Object.getPrototypeOf(resource) as object
  let symbol = ownerSymbols.get(proto)
  if (symbol === undefined) {
    symbol = null
    // Node tags handles with its internal `owner_symbol`; found by description, once per handle class.
    for (const s of Object.getOwnPropertySymbols(resource)) if (s.description === 'owner_symbol') symbol = s
    if (symbol) ownerSymbols.set(proto, symbol)
  }
  return symbol ? (resource as Record<symbol, unknown>)[symbol] : undefined
}

function kindOf(asyncType: string): (typeof kinds)[string] {
  const kind = kinds[asyncType]
  if (!kind) throw new TypeError(`Untracked async resource type: ${asyncType}`)
  return kind
}

/** Whether resources of this type run no code by themselves, so that a suite may close what its tests left. */
export const isPassive = (asyncType: string): boolean => kinds[asyncType]?.passive === true

/** Whether resources of this type are only ever made through the runner's code on a test's behalf. */
export const forTests = (asyncType: string): boolean => kinds[asyncType]?.forTests === true

/** The user-facing type of a tracked resource. */
export function typeOf(asyncType: string, resource: object): ResourceType {
  const { type } = kindOf(asyncType)
  return typeof type === 'function' ? type(resource as Handle) : type
}

export function isAlive(asyncType: string, resource: object, countUnref: boolean): boolean {
  return kindOf(asyncType).alive(resource as Handle, countUnref)
}

export function describe(asyncType: string, resource: object): string {
  return kindOf(asyncType).describe(resource as Handle, ownerOf(resource))
}

/** Where the user started what created the resource, if its kind knows. */
export function origin(asyncType: string, resource: object): Site | undefined {
  return kindOf(asyncType).origin?.(resource as Handle, ownerOf(resource))
}

/** Whether the resource was asked to stop and is stopping on its own (see Kind.closing). */
export const isClosing = (asyncType: string, resource: object): boolean => kinds[asyncType]?.closing?.(resource as Handle, ownerOf(resource)) === true

/** Resources that reporting this one already explains. */
export function covered(asyncType: string, resource: object): unknown[] {
  return kindOf(asyncType).covers?.(resource as Handle, ownerOf(resource)) ?? []
}

/** Whether async-debug can stop a resource of this type once it has reported it. */
export const canDispose = (asyncType: string): boolean => kinds[asyncType]?.dispose !== undefined

/** Stops the resource so that it cannot fire into later tests or keep the process alive. Never throws. */
export function dispose(asyncType: string, resource: object): void {
  try {
    const owner = ownerOf(resource)
    kindOf(asyncType).dispose?.(resource as Handle, owner)
    // What is still closing (a child until it is reaped, a server until its connections end) no
    // longer holds the process: a runner's worker exits when its tests are done, however long a
    // loaded machine takes to finish closing it (Jest force-exits a worker after 500 ms, and says so).
    owner?.unref?.()
    ;(resource as { unref?: () => void }).unref?.()
  } catch {
    // Containment is best effort: the finding has been reported either way.
  }
}
