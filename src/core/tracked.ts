import type { ResourceType } from './resource-types.js'
import type { Scope } from './scope.js'

/** One async resource recorded at creation, with the scope that owned the code creating it. */
export interface Tracked {
  /** The async_hooks type, e.g. `Timeout` or `TCPSERVERWRAP`. */
  readonly asyncType: string
  /** The object async_hooks handed to `init`: a Timeout, Immediate or native handle. */
  readonly resource: object
  readonly owner: Scope
  /** `performance.now()` at creation. */
  readonly createdAt: number
  /** Holds the creation stack; V8 formats `site.stack` only when it is first read. */
  readonly site: { stack?: string }
}

/** A resource its owner left alive when the owner's scope was judged. */
export interface Finding {
  readonly tracked: Tracked
  readonly type: ResourceType
  /** What leaked, e.g. `setInterval every 1000 ms`. */
  readonly description: string
}
