import { AsyncLocalStorage } from 'node:async_hooks'
import diagnostics_channel from 'node:diagnostics_channel'
import fs from 'node:fs'
import { createRequire, syncBuiltinESMExports } from 'node:module'
import net from 'node:net'
import { join } from 'node:path'
import { cutOwnFrames } from './frames.js'
import { FETCH_REQUEST_CREATED } from './sources/http-requests.js'
import type { Capture, Site } from './site.js'

/** Where `listen()` was called on a server: its handle may be created later, in a DNS or tick callback. */
export const LISTEN_SITE = Symbol('async-debug.listenSite')
/**
 * Where an HTTP client request was made: Node reports it once it is flushed, and fetch() sends it
 * in turns of its own, both off the caller's stack.
 */
export const REQUEST_SITE = Symbol('async-debug.requestSite')

/** Where a socket was asked to connect, `host:port` or a pipe's path: until it has, it has no address to tell. */
export const CONNECT_TARGET = Symbol('async-debug.connectTarget')

type Track = (type: string, resource: object, site: Site) => void

type Request = (...args: unknown[]) => object

// Each syncBuiltinESMExports() walks every builtin loaded (~0.2 ms in a test process): the patches
// installed or removed together sync once, at the end of `batched`.
let batching = 0
let unsynced = false

/** Makes the ES module exports of builtins match their patched CommonJS ones, now or at the end of the batch. */
export function syncExports(): void {
  if (batching > 0) unsynced = true
  else syncBuiltinESMExports()
}

/** Runs `fn`, syncing builtins' ES module exports once after it for all the patches it made or undid. */
export function batched<R>(fn: () => R): R {
  batching++
  try {
    return fn()
  } finally {
    if (--batching === 0 && unsynced) {
      unsynced = false
      syncBuiltinESMExports()
    }
  }
}

/**
 * The places async_hooks cannot serve on its own. A server handle made in a callback has no
 * user frame on its stack, so `listen()` records where it was called. A socket tells no address
 * until it has connected, so `connect()` records where to. A FileHandle is created with no async
 * context at all, so `fs.promises.open()` records it in the caller's scope. Returns a function
 * that restores them.
 */
export function installPatches(capture: Capture, track: Track): () => void {
  const { listen } = net.Server.prototype
  const { connect } = net.Socket.prototype
  const { open } = fs.promises
  net.Server.prototype.listen = function listenRecordingSite(this: net.Server, ...args: unknown[]) {
    ;(this as unknown as { [LISTEN_SITE]: Site })[LISTEN_SITE] = capture(listenRecordingSite)
    return cutOwnFrames(() => (listen as Function).apply(this, args))
  } as typeof listen
  net.Socket.prototype.connect = function connectRecordingTarget(this: net.Socket, ...args: unknown[]) {
    ;(this as unknown as { [CONNECT_TARGET]: string | undefined })[CONNECT_TARGET] = targetOf(args)
    return cutOwnFrames(() => (connect as Function).apply(this, args))
  } as typeof connect
  fs.promises.open = function openRecordingHandle(...args: Parameters<typeof open>) {
    const site = capture(openRecordingHandle)
    return cutOwnFrames(() => open(...args)).then((handle) => {
      track('FileHandle', handle, site)
      return handle
    })
  }
  syncExports()
  return () => {
    net.Server.prototype.listen = listen
    net.Socket.prototype.connect = connect
    fs.promises.open = open
    syncExports()
  }
}

// `host:port` or the pipe's path of connect()'s arguments: (options), (path), (port, host), or the
// array that net.connect() hands on, its options first.
function targetOf(args: unknown[]): string | undefined {
  const [first, second] = Array.isArray(args[0]) ? args[0] : args
  if (typeof first === 'object' && first !== null) {
    const { path, port, host } = first as { path?: unknown; port?: unknown; host?: unknown }
    if (typeof path === 'string') return path
    return port === undefined ? undefined : `${String(host ?? 'localhost')}:${String(port)}`
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return first
  return first === undefined ? undefined : `${typeof second === 'string' ? second : 'localhost'}:${String(first)}`
}

// Loading http and https costs a test process milliseconds (https loads tls): they are patched once
// loaded, which a suite that uses them has done before its first test.
const builtin = createRequire(join(process.cwd(), 'index.js'))

/**
 * Makes each HTTP client request made through http or https keep where it was made, once either
 * is loaded (see above): `update()` patches those loaded since, `restore()` puts all back.
 */
export function requestSites(capture: Capture): { update(): void; restore(): void } {
  const restores = new Map<string, () => void>()
  const loaded = (process as { moduleLoadList?: string[] }).moduleLoadList ?? []
  let seen = -1
  return {
    update() {
      // Asked as each test opens: look only when Node has loaded builtins since.
      if (loaded.length === seen || restores.size === 2) return
      seen = loaded.length
      for (const name of ['http', 'https']) {
        if (restores.has(name) || !loaded.includes(`NativeModule ${name}`)) continue
        const module = builtin(`node:${name}`) as { request: Request; get: Request }
        const originals = { request: module.request, get: module.get }
        // http.get() calls http.request() of its module: a request keeps the first site.
        for (const method of ['request', 'get'] as const)
          module[method] = function requestRecordingSite(this: unknown, ...args: unknown[]) {
            const site = capture(requestRecordingSite)
            const request = cutOwnFrames(() => originals[method].apply(this, args)) as { [REQUEST_SITE]?: Site }
            request[REQUEST_SITE] ??= site
            return request
          }
        syncExports()
        restores.set(name, () => Object.assign(module, originals))
      }
    },
    restore() {
      for (const restore of restores.values()) restore()
      restores.clear()
      seen = -1
      syncExports()
    },
  }
}

/**
 * Makes each request that `global.fetch` sends keep where fetch() was called (REQUEST_SITE), as
 * http.request() does (requestSites): undici makes the request in turns of its own, off the caller's
 * stack, so the call's site travels with the work it starts. Returns a function that puts fetch
 * back, unless something replaced it since (a test's stub), and ends the store, which before Node 24
 * puts a property on every promise of the process.
 */
export function fetchSites(global: { fetch?: unknown }, capture: Capture): () => void {
  const original = global.fetch
  if (typeof original !== 'function') return () => {}
  const calls = new AsyncLocalStorage<Site>()
  const fetch = function fetch(this: unknown, ...args: unknown[]) {
    return calls.run(capture(fetch), () => cutOwnFrames(() => original.apply(this, args)))
  }
  // As Node's: the bundler may rename ours.
  Object.defineProperties(fetch, { name: { value: original.name }, length: { value: original.length } })
  global.fetch = fetch
  const created = ({ request }: { request: { [REQUEST_SITE]?: Site | undefined } }): void => {
    request[REQUEST_SITE] ??= calls.getStore()
  }
  diagnostics_channel.subscribe(FETCH_REQUEST_CREATED, created as (message: unknown) => void)
  return () => {
    diagnostics_channel.unsubscribe(FETCH_REQUEST_CREATED, created as (message: unknown) => void)
    if (global.fetch === fetch) global.fetch = original
    calls.disable()
  }
}
