import type { Ownership } from './ownership.js'
import { batched, fetchSites, installPatches, requestSites } from './patches.js'
import { forgetSettled } from './promises/ledger.js'
import type { Scope } from './scope.js'
import { type Site, capture } from './site.js'
import { trackDescriptors } from './sources/fs-descriptors.js'
import { trackRequests } from './sources/http-requests.js'
import { type Listeners, trackListeners } from './sources/listeners.js'

type Track = (type: string, resource: object, site: Site) => Scope | undefined

/**
 * The sources of what async_hooks does not tell: patches of Node's APIs for where servers listen
 * and sockets connect, requests and their senders, file descriptors, event listeners, and which
 * promises have settled. Each starts with `start` and stops with `stop`.
 */
export class Sources {
  readonly #ownership: Ownership
  readonly #track: Track
  readonly #requestSites = requestSites(capture)
  readonly #stops: (() => void)[] = []
  // Who sent each request in flight: the work a server of the process does for it is theirs.
  readonly #requestOwners = new WeakMap<object, Scope>()
  #listeners: Listeners | undefined

  constructor(ownership: Ownership, track: Track) {
    this.#ownership = ownership
    this.#track = track
  }

  /** Whose listeners each emitter has, while started. */
  get listeners(): Listeners | undefined {
    return this.#listeners
  }

  /** Starts every source; `global` is the test code's global object, whose fetch() is watched (see fetchSites). */
  start(global: { fetch?: unknown }): void {
    const stops = this.#stops
    const track = this.#track
    const ownership = this.#ownership
    const requestOwners = this.#requestOwners
    batched(() => {
      stops.push(installPatches(capture, track))
      this.#requestSites.update()
      stops.push(() => this.#requestSites.restore())
      stops.push(trackDescriptors(capture, track))
    })
    const listeners = (this.#listeners = trackListeners(() => ownership.current(), capture))
    stops.push(() => {
      listeners.stop()
      this.#listeners = undefined
    })
    stops.push(fetchSites(global, capture))
    stops.push(trackRequests({
      sent: function sent(this: void, request) {
        // A judged scope's code owns no new resource, but the server's work for its request is still not the server's.
        const owner = track('HTTP_REQUEST', request, capture(sent)) ?? ownership.current()
        if (owner) requestOwners.set(request, owner)
      },
      ownerOf: (request) => requestOwners.get(request),
      enter: (scope) => ownership.enter(scope.judged ? scope : ownership.handlerOf(scope)),
    }))
    stops.push(forgetSettled())
  }

  /** A test starts: a module may have put back Node's request functions since (see requestSites). */
  testOpened(): void {
    this.#requestSites.update()
  }

  /** Stops what start() started, in reverse. */
  stop(): void {
    batched(() => {
      for (const stop of this.#stops.splice(0).reverse()) stop()
    })
  }
}
