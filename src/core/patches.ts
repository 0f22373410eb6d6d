import fs from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import type { Site } from './tracked.js'

/** Where `listen()` was called on a server: its handle may be created later, in a DNS or tick callback. */
export const LISTEN_SITE = Symbol('async-debug.listenSite')
/** Where an HTTP client request was made: Node reports it once it is flushed, off the caller's stack. */
export const REQUEST_SITE = Symbol('async-debug.requestSite')

type Capture = (below: Function) => Site
type Record = (type: string, resource: object, site: Site) => void

type Request = (...args: unknown[]) => object

/**
 * The places async_hooks cannot serve on its own. A server handle made in a callback has no
 * user frame on its stack, so `listen()` records where it was called. A FileHandle is created
 * with no async context at all, so `fs.promises.open()` records it in the caller's scope.
 * Returns a function that restores both.
 */
export function installPatches(capture: Capture, record: Record): () => void {
  const { listen } = net.Server.prototype
  const { open } = fs.promises
  net.Server.prototype.listen = function listenRecordingSite(this: net.Server, ...args: unknown[]) {
    ;(this as unknown as { [LISTEN_SITE]: Site })[LISTEN_SITE] = capture(listenRecordingSite)
    return (listen as Function).apply(this, args)
  } as typeof listen
  // http.get() calls http.request() of its module: each is wrapped, and a request keeps the first site.
  const requests = [http, https].flatMap((module) =>
    (['request', 'get'] as const).map((name) => {
      const original = module[name] as unknown as Request
      module[name] = function requestRecordingSite(this: unknown, ...args: unknown[]) {
        const site = capture(requestRecordingSite)
        const request = original.apply(this, args) as { [REQUEST_SITE]?: Site }
        request[REQUEST_SITE] ??= site
        return request
      } as never
      return () => void (module[name] = original as never)
    }),
  )
  fs.promises.open = function openRecordingHandle(...args: Parameters<typeof open>) {
    const site = capture(openRecordingHandle)
    return open(...args).then((handle) => {
      record('FileHandle', handle, site)
      return handle
    })
  }
  syncBuiltinESMExports()
  return () => {
    net.Server.prototype.listen = listen
    for (const restore of requests) restore()
    fs.promises.open = open
    syncBuiltinESMExports()
  }
}
