import fs from 'node:fs'
import { cutOwnFrames, withoutOwnFrames } from '../frames.js'
import { syncExports } from '../patches.js'
import type { Capture, Site } from '../site.js'

/** A file descriptor opened with fs.open() or fs.openSync(), as fs streams open theirs, until closed. */
export interface Descriptor {
  readonly fd: number
  readonly path: string
  readonly flags: string
  closed: boolean
}

type Track = (type: string, resource: object, site: Site) => unknown
type Callback = (error: NodeJS.ErrnoException | null, fd: number) => void

/**
 * Tracks each file descriptor that fs.open() or fs.openSync() opens (fs.createReadStream() and
 * fs.createWriteStream() open theirs through fs.open(), located where the stream was made), as a
 * resource of the code that asked for it, closed once fs.close() or fs.closeSync() closes it.
 * Returns a function that stops it.
 */
export function trackDescriptors(capture: Capture, track: Track): () => void {
  const byFd = new Map<number, Descriptor>()
  const opened = (fd: number, path: unknown, flags: unknown, site: Site): void => {
    // A number open again was closed some way we do not see.
    const before = byFd.get(fd)
    if (before) before.closed = true
    const descriptor: Descriptor = { fd, path: String(path), flags: typeof flags === 'string' ? flags : 'r', closed: false }
    byFd.set(fd, descriptor)
    track('FILE_DESCRIPTOR', descriptor, site)
  }
  const closed = (fd: unknown): void => {
    const descriptor = typeof fd === 'number' ? byFd.get(fd) : undefined
    if (descriptor === undefined) return
    descriptor.closed = true
    byFd.delete(descriptor.fd)
  }
  const original = {
    open: fs.open,
    openSync: fs.openSync,
    close: fs.close,
    closeSync: fs.closeSync,
    createReadStream: fs.createReadStream,
    createWriteStream: fs.createWriteStream,
    readFileSync: fs.readFileSync,
    writeFileSync: fs.writeFileSync,
  }
  // Inside fs.readFileSync() and fs.writeFileSync() (appendFileSync() calls the latter), which close
  // the descriptor they open before they return, whatever happens: nothing to record, and no stack
  // to take (a runner that loads modules through readFileSync opens hundreds of files). Called
  // through fs, they say so; called as copies taken before (graceful-fs's, which Jest reads test
  // files with), their open is told by its caller (inNodeFileCall).
  let closingTheirOwn = 0
  const closesItsOwn = <F extends Function>(fn: F): F =>
    function (this: unknown) {
      closingTheirOwn++
      try {
        return fn.apply(this, arguments)
      } catch (error) {
        throw withoutOwnFrames(error)
      } finally {
        closingTheirOwn--
      }
    } as unknown as F
  fs.readFileSync = closesItsOwn(original.readFileSync)
  fs.writeFileSync = closesItsOwn(original.writeFileSync)
  // A stream opens its file a tick after it was made, in _construct(): where it was made, meanwhile.
  let streamSite: Site | undefined
  const atStreamSite = (make: Function) =>
    function makeStreamRecordingSite(this: unknown, ...args: unknown[]) {
      const site = capture(makeStreamRecordingSite)
      const stream = cutOwnFrames(() => make.apply(this, args)) as { _construct?: Function }
      const construct = stream._construct
      if (typeof construct === 'function')
        stream._construct = function (this: unknown, ...constructArgs: unknown[]) {
          streamSite = site
          try {
            return construct.apply(this, constructArgs)
          } finally {
            streamSite = undefined
          }
        }
      return stream
    }
  fs.createReadStream = atStreamSite(original.createReadStream) as typeof fs.createReadStream
  fs.createWriteStream = atStreamSite(original.createWriteStream) as typeof fs.createWriteStream
  fs.open = function openRecording(this: unknown, path: fs.PathLike, ...rest: unknown[]) {
    const site = streamSite ?? capture(openRecording)
    const callback = rest.pop() as Callback
    if (typeof callback !== 'function') return cutOwnFrames(() => (original.open as Function).call(this, path, ...rest, callback))
    return cutOwnFrames(() =>
      (original.open as Function).call(this, path, ...rest, (error: NodeJS.ErrnoException | null, fd: number) => {
        if (!error) opened(fd, path, rest[0], site)
        callback(error, fd)
      }),
    )
  } as typeof fs.open
  fs.openSync = function openSyncRecording(this: unknown, path: fs.PathLike, ...rest: unknown[]) {
    const fd = cutOwnFrames(() => (original.openSync as Function).call(this, path, ...rest)) as number
    if (closingTheirOwn === 0 && !(rest.length === 2 && rest[1] === 0o666 && inNodeFileCall(openSyncRecording))) opened(fd, path, rest[0], capture(openSyncRecording))
    return fd
  } as typeof fs.openSync
  fs.close = function (this: unknown, fd: number, ...rest: unknown[]) {
    closed(fd)
    return cutOwnFrames(() => (original.close as Function).call(this, fd, ...rest))
  } as typeof fs.close
  fs.closeSync = function (this: unknown, fd: number) {
    closed(fd)
    return cutOwnFrames(() => original.closeSync.call(this, fd))
  } as typeof fs.closeSync
  syncExports()
  return () => {
    Object.assign(fs, original)
    syncExports()
  }
}

const NODE_FILE_CALLS = new Set(['readFileSync', 'writeFileSync'])

/**
 * Whether `below` was called by Node's own fs.readFileSync() or fs.writeFileSync(), which open
 * with mode 0o666 and close before they return. One frame, read as a call site: half the cost of
 * the creation stack it spares.
 */
function inNodeFileCall(below: Function): boolean {
  const previous = Error.prepareStackTrace
  const limit = Error.stackTraceLimit
  const here: { stack?: NodeJS.CallSite[] } = {}
  Error.prepareStackTrace = (_, callSites) => callSites
  Error.stackTraceLimit = 1
  try {
    Error.captureStackTrace(here, below)
    const caller = here.stack?.[0]
    return caller !== undefined && caller.getFileName() === 'node:fs' && NODE_FILE_CALLS.has(caller.getFunctionName() ?? '')
  } finally {
    Error.prepareStackTrace = previous
    Error.stackTraceLimit = limit
  }
}

/** Closes a descriptor that its scope left open, unless its number now names another file. */
export function closeDescriptor(descriptor: Descriptor): void {
  descriptor.closed = true
  try {
    const now = fs.fstatSync(descriptor.fd)
    const then = fs.statSync(descriptor.path)
    if (now.ino !== then.ino || now.dev !== then.dev) return
  } catch {
    return
  }
  fs.close(descriptor.fd, () => {})
}
