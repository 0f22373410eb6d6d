import type { ResourceFacts } from '../core/resource-facts.js'

type Is = ResourceFacts['is']
type Wording = { [K in Is]: (facts: Extract<ResourceFacts, { is: K }>) => string }

/** How reports name an async function's call: `async call poll()`, or an anonymous one. */
export const callName = (name: string | undefined): string => (name === undefined ? 'an anonymous async function' : `async call ${name}()`)

/** `n word`, with an s for any count but one. */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

const fakeTimers = (n: number): string => plural(n, 'fake timer')

/** How each thing a user is told of is named in reports: one row per variant of ResourceFacts. */
const wording: Wording = {
  timeout: ({ ms }) => `setTimeout of ${ms} ms`,
  interval: ({ ms }) => `setInterval every ${ms} ms`,
  'rearmed-timeout': () => 'setTimeout, set again by its own callback',
  immediate: () => 'setImmediate callback',
  server: ({ protocol, address }) => `${protocol} server listening on ${address}`,
  'pipe-server': ({ path }) => `server listening on pipe ${path}`.trimEnd(),
  'http-socket': ({ method, url }) => `HTTP request ${method} ${url} still open`,
  socket: ({ ends, connectingTo, accepted }) => {
    const where = ends ? ` ${ends.local} -> ${ends.remote}` : connectingTo === undefined ? '' : ` connecting to ${connectingTo}`
    return accepted ? `TCP connection${where} accepted by a server` : `TCP socket${where}`
  },
  'pipe-socket': ({ connectingTo }) => `pipe socket${connectingTo === undefined ? '' : ` connecting to ${connectingTo}`}`,
  request: ({ method, url, client }) => `HTTP request ${method} ${url} still in flight (${client === 'fetch' ? 'fetch()' : 'http client'})`,
  'udp-socket': ({ bound }) => `UDP socket${bound === undefined ? '' : ` bound to ${bound}`}`,
  'child-process': ({ command, pid }) => `child process '${command}' pid ${pid}`,
  watcher: ({ api }) => `${api} watcher`,
  'file-handle': ({ fd }) => `file handle (fd ${fd}) from fs.promises.open()`,
  'file-descriptor': ({ fd, path, flags }) => `file descriptor ${fd} open on ${path} (flags '${flags}'), from fs.open() or an fs stream`,
  worker: ({ threadId }) => `worker thread ${threadId}`,
  'fake-timers': ({ api, pending }) => `fake timers still installed (${api}.useFakeTimers()${pending > 0 ? `, ${fakeTimers(pending)} pending` : ''})`,
  'fake-timers-under': ({ api, pending, installer }) => `${fakeTimers(pending)} left pending under the fake timers that ${installer} installed (${api}.useFakeTimers())`,
  'fake-timers-again': ({ api, pending }) => `${fakeTimers(pending)} left pending under the fake timers it installed again (${api}.useFakeTimers())`,
  'message-port': () => 'MessagePort receiving messages',
  'floating-call': ({ fn }) => `${callName(fn)} was never awaited and is still pending`,
  'pending-promise': ({ fn, made }) => (made === 'call' ? `promise of ${callName(fn)} still pending` : made === 'new Promise()' ? 'new Promise() still pending' : 'promise still pending'),
}

/** What a finding's resource is, e.g. `setInterval every 1000 ms`. */
export const describe = ({ facts }: { readonly facts: ResourceFacts }): string => (wording[facts.is] as (facts: ResourceFacts) => string)(facts)
