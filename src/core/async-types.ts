import type { FakeClock, PendingUnder, Reinstalled } from './fake-timers.js'
import type { ResourceFacts } from './resource-facts.js'
import type { ResourceType } from './resource-types.js'
import { type Descriptor, closeDescriptor } from './sources/fs-descriptors.js'
import { clientEnd, type InFlight, settled } from './sources/http-requests.js'
import { CONNECT_TARGET, LISTEN_SITE, REQUEST_SITE } from './patches.js'
import { clearImmediate, clearTimeout } from './real-timers.js'
import type { Site } from './site.js'

/**
 * What each tracked async_hooks resource type means to a user: how to tell that it is still
 * alive, what it is (its facts, which report/descriptions.ts words), and how to dispose of it once
 * it has been reported.
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

interface Rules {
  /** Whether it still represents ongoing work. `countUnref`: unref'd handles count too. */
  alive(resource: Handle, countUnref: boolean): boolean
  /** What it is, as report/descriptions.ts words it. */
  facts(resource: Handle, wrapper: any): ResourceFacts
  /** Stops it, once it has been reported; absent where nothing of it is the scope's to stop. */
  dispose?(resource: Handle, wrapper: any): void
  /**
   * Asked to stop and stopping on its own (a child sent a signal, a socket ended): waited for as long
   * as a loaded machine may take to finish it, and no leak if it does.
   */
  closing?(resource: Handle, wrapper: any): boolean
  /** Resources that a finding of this one already explains, such as a child's stdio pipes. */
  covers?(resource: Handle, wrapper: any): unknown[]
  /** Where the user started what created it, when that was not on its own stack. */
  origin?(resource: Handle, wrapper: any): Site | undefined
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

const address = (a: any): string =>
  a && typeof a === 'object' ? `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}` : String(a)

const close = (_: Handle, wrapper: any): void => wrapper?.close?.()

const DISPOSED = 'async-debug disposed of this request: the test that sent it had ended'

const rules: Record<string, Rules & { type: ResourceType | ((r: Handle) => ResourceType) }> = {
  Timeout: {
    type: (t) => (t._repeat == null ? 'timeout' : 'interval'),
    alive: timerAlive,
    facts: (t) => (t._repeat == null ? { is: 'timeout', ms: t._idleTimeout } : { is: 'interval', ms: t._repeat }),
    dispose: (t) => clearTimeout(t as NodeJS.Timeout),
  },
  Immediate: {
    type: 'immediate',
    alive: timerAlive,
    facts: () => ({ is: 'immediate' }),
    dispose: (t) => clearImmediate(t as NodeJS.Immediate),
  },
  TCPSERVERWRAP: {
    type: 'server',
    passive: true,
    alive: handleAlive,
    facts: (_, server) => ({ is: 'server', protocol: typeof server?.closeAllConnections === 'function' ? 'HTTP' : 'TCP', address: address(server?.address?.()) }),
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
    facts: (_, server) => ({ is: 'pipe-server', path: String(server?.address?.() ?? '') }),
    dispose: close,
    origin: (_, server) => server?.[LISTEN_SITE],
  },
  TCPWRAP: {
    type: 'socket',
    // A socket being destroyed still has its handle until the close callback: it is not alive.
    alive: (h, countUnref) => handleAlive(h, countUnref) && wrapperOf(h)?.destroyed !== true,
    facts: (_, socket) => {
      const request = socket?._httpMessage
      if (request?.method && !socket.server) return { is: 'http-socket', method: request.method, url: `${request.protocol ?? 'http:'}//${request.host}${request.path}` }
      // Still connecting: where to; closing: no addresses to give.
      const ends = socket?.remotePort !== undefined ? { local: `${socket.localAddress}:${socket.localPort}`, remote: `${socket.remoteAddress}:${socket.remotePort}` } : undefined
      return { is: 'socket', ends, connectingTo: ends ? undefined : connectingTo(socket), accepted: Boolean(socket?.server) }
    },
    closing: (_, socket) => socket?.writableEnded === true,
    dispose: (_, socket) => socket?.destroy?.(),
  },
  PIPEWRAP: {
    type: 'socket',
    alive: (h, countUnref) => !(h.fd !== undefined && h.fd >= 0 && h.fd <= 2) && handleAlive(h, countUnref),
    facts: (_, socket) => ({ is: 'pipe-socket', connectingTo: connectingTo(socket) }),
    closing: (_, socket) => socket?.writableEnded === true,
    dispose: (_, socket) => socket?.destroy?.(),
  },
  // Recorded from Node's diagnostics channels, not by async_hooks: see sources/http-requests.ts.
  HTTP_REQUEST: {
    type: 'request',
    alive: (h) => !settled(asRequest(h)),
    facts: (h) => {
      const { client, request } = asRequest(h)
      const url = client === 'fetch' ? `${request.origin}${request.path}` : `${request.protocol ?? 'http:'}//${request.getHeader?.('host') ?? request.host}${request.path}`
      return { is: 'request', method: request.method, url, client }
    },
    dispose: (h) => {
      const { client, request, socket } = asRequest(h)
      // A server of the process may read it after this: its work for it is still the sender's.
      clientEnd(asRequest(h))
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
    facts: (_, socket) => {
      let bound: string | undefined
      try {
        bound = address(socket.address())
      } catch {
        // not bound yet
      }
      return { is: 'udp-socket', bound }
    },
    dispose: close,
  },
  PROCESSWRAP: {
    type: 'child-process',
    alive: handleAlive,
    facts: (_, child) => ({ is: 'child-process', command: (child?.spawnargs ?? []).join(' '), pid: child?.pid }),
    closing: (_, child) => child?.killed === true,
    dispose: (_, child) => child?.kill?.('SIGKILL'),
    covers: (_, child) => (child?.stdio ?? []).map((stream: any) => stream?._handle),
  },
  FSEVENTWRAP: {
    type: 'watcher',
    alive: handleAlive,
    facts: () => ({ is: 'watcher', api: 'fs.watch()' }),
    dispose: close,
  },
  STATWATCHER: {
    type: 'watcher',
    alive: handleAlive,
    facts: () => ({ is: 'watcher', api: 'fs.watchFile()' }),
    dispose: (_, watcher) => watcher?.stop?.(),
  },
  // Recorded by the fs.promises.open() patch, not by async_hooks: see patches.ts.
  FileHandle: {
    type: 'file-handle',
    // It holds a descriptor, not the event loop: it counts whatever its ref state. Closed: fd -1.
    alive: (h) => typeof h.fd === 'number' && h.fd >= 0,
    facts: (h) => ({ is: 'file-handle', fd: h.fd }),
    dispose: (h) => {
      Promise.resolve(h.close?.()).catch(() => {})
    },
  },
  // Recorded by sources/fs-descriptors.ts, not by async_hooks: fs.open() and the streams that use it.
  FILE_DESCRIPTOR: {
    type: 'file-handle',
    // It holds a descriptor, not the event loop.
    alive: (h) => !asDescriptor(h).closed,
    facts: (h) => {
      const { fd, path, flags } = asDescriptor(h)
      return { is: 'file-descriptor', fd, path: String(path), flags: String(flags) }
    },
    dispose: (h) => closeDescriptor(asDescriptor(h)),
  },
  WORKER: {
    type: 'worker',
    alive: handleAlive,
    facts: (h) => ({ is: 'worker', threadId: h.threadId }),
    dispose: (h) => h.stopThread?.(),
  },
  // Recorded when a test or hook installs a runner's fake timers: see Engine.watchFakeTimers.
  // Left installed with nothing pending, they are harmless (a habit of beforeEach hooks): only
  // fake timers still pending are work that will never run.
  FAKE_TIMERS: {
    type: 'fake-timers',
    forTests: true,
    alive: (clock) => asClock(clock).installed() && asClock(clock).pending() > 0,
    facts: (h) => ({ is: 'fake-timers', api: asClock(h).api, pending: asClock(h).pending() }),
    dispose: (clock) => asClock(clock).restore(),
  },
  // Not an async_hooks type: recorded by the engine when a test starts under a suite's fake clock.
  FAKE_TIMERS_PENDING: {
    type: 'fake-timers',
    forTests: true,
    alive: (h) => addedPending(asPendingUnder(h)) > 0,
    facts: (h) => ({ is: 'fake-timers-under', api: asPendingUnder(h).clock.api, pending: addedPending(asPendingUnder(h)), installer: asPendingUnder(h).installer }),
    // No dispose: the clock is its installer's to restore, and the test's own fake timers cannot be told apart to drop.
  },
  // Recorded when a test or hook installs fake timers again over those of the file, a suite or the
  // runner (Jest's fakeTimers.enableGlobally): what it leaves pending is dropped, the clock stays.
  FAKE_TIMERS_AGAIN: {
    type: 'fake-timers',
    forTests: true,
    alive: (h) => addedPending(asReinstalled(h)) > 0,
    facts: (h) => ({ is: 'fake-timers-again', api: asReinstalled(h).clock.api, pending: addedPending(asReinstalled(h)) }),
    dispose: (h) => asReinstalled(h).clock.clear(),
  },
  MESSAGEPORT: {
    type: 'message-port',
    alive: handleAlive,
    facts: () => ({ is: 'message-port' }),
    dispose: (h) => h.close?.(),
  },
}

// Where a socket that has not connected yet connects to, if it is connecting.
const connectingTo = (socket: Record<string | symbol, any> | undefined): string | undefined => (socket?.connecting === true && socket[CONNECT_TARGET] !== undefined ? String(socket[CONNECT_TARGET]) : undefined)

/** Whether async_hooks type `type` is tracked. */
export const isTrackedType = (type: string): boolean => Object.hasOwn(rules, type)

const wrapperSymbols = new WeakMap<object, symbol | null>()

/** The JS object (Server, Socket, ChildProcess...) that Node links to a native handle. */
export function wrapperOf(resource: object): any {
  const proto = Object.getPrototypeOf(resource) as object
  let symbol = wrapperSymbols.get(proto)
  if (symbol === undefined) {
    symbol = null
    // Node tags handles with its internal `owner_symbol`; found by description, once per handle class.
    for (const s of Object.getOwnPropertySymbols(resource)) if (s.description === 'owner_symbol') symbol = s
    if (symbol) wrapperSymbols.set(proto, symbol)
  }
  return symbol ? (resource as Record<symbol, unknown>)[symbol] : undefined
}

function rulesOf(asyncType: string): (typeof rules)[string] {
  const typeRules = rules[asyncType]
  if (!typeRules) throw new TypeError(`Untracked async resource type: ${asyncType}`)
  return typeRules
}

/** Whether resources of this type run no code by themselves, so that a suite may close what its tests left. */
export const isPassive = (asyncType: string): boolean => rules[asyncType]?.passive === true

/** Whether resources of this type are only ever made through the runner's code on a test's behalf. */
export const forTests = (asyncType: string): boolean => rules[asyncType]?.forTests === true

/** The user-facing type of a tracked resource. */
export function typeOf(asyncType: string, resource: object): ResourceType {
  const { type } = rulesOf(asyncType)
  return typeof type === 'function' ? type(resource as Handle) : type
}

export function isAlive(asyncType: string, resource: object, countUnref: boolean): boolean {
  return rulesOf(asyncType).alive(resource as Handle, countUnref)
}

/** What the resource is, as facts that report/descriptions.ts words. */
export function factsOf(asyncType: string, resource: object): ResourceFacts {
  return rulesOf(asyncType).facts(resource as Handle, wrapperOf(resource))
}

/** Where the user started what created the resource, if its type knows. */
export function origin(asyncType: string, resource: object): Site | undefined {
  return rulesOf(asyncType).origin?.(resource as Handle, wrapperOf(resource))
}

/** Whether the resource was asked to stop and is stopping on its own (see Rules.closing). */
export const isClosing = (asyncType: string, resource: object): boolean => rules[asyncType]?.closing?.(resource as Handle, wrapperOf(resource)) === true

/** Resources that reporting this one already explains. */
export function covered(asyncType: string, resource: object): unknown[] {
  return rulesOf(asyncType).covers?.(resource as Handle, wrapperOf(resource)) ?? []
}

/** Whether async-debug can stop a resource of this type once it has reported it. */
export const canDispose = (asyncType: string): boolean => rules[asyncType]?.dispose !== undefined

/** Stops the resource so that it cannot fire into later tests or keep the process alive. Never throws. */
export function dispose(asyncType: string, resource: object): void {
  try {
    const wrapper = wrapperOf(resource)
    rulesOf(asyncType).dispose?.(resource as Handle, wrapper)
    // What is still closing (a child until it is reaped, a server until its connections end) no
    // longer holds the process: a runner's worker exits when its tests are done, however long a
    // loaded machine takes to finish closing it (Jest force-exits a worker after 500 ms, and says so).
    wrapper?.unref?.()
    ;(resource as { unref?: () => void }).unref?.()
  } catch {
    // Containment is best effort: the finding has been reported either way.
  }
}
