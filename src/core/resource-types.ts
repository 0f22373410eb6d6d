/** What a type of resource is: a timer, a handle (servers, sockets, processes…), or a promise. */
export type ResourceFamily = 'timer' | 'handle' | 'promise'

/**
 * Each type of resource that a user is told of, and names in `ignore.types`: its family (a timer,
 * a handle, a promise) and the `failOn` kind that fails a scope for it. ResourceType and every list
 * of types derive from this table; how each async_hooks type is told alive, described and disposed
 * of is async-types.ts, and what to do of each, report/hints.ts.
 */
export const resourceTypes = {
  timeout: { family: 'timer', failOn: 'leaks' },
  interval: { family: 'timer', failOn: 'leaks' },
  immediate: { family: 'timer', failOn: 'leaks' },
  server: { family: 'handle', failOn: 'leaks' },
  socket: { family: 'handle', failOn: 'leaks' },
  request: { family: 'handle', failOn: 'leaks' },
  'udp-socket': { family: 'handle', failOn: 'leaks' },
  'child-process': { family: 'handle', failOn: 'leaks' },
  watcher: { family: 'handle', failOn: 'leaks' },
  'file-handle': { family: 'handle', failOn: 'leaks' },
  worker: { family: 'handle', failOn: 'leaks' },
  'message-port': { family: 'handle', failOn: 'leaks' },
  'fake-timers': { family: 'timer', failOn: 'fake-timers' },
  promise: { family: 'promise', failOn: 'promises' },
} as const satisfies Record<string, { family: ResourceFamily; failOn: string }>

/** The user-facing name of a type of leaked resource; also what `ignore.types` takes. */
export type ResourceType = keyof typeof resourceTypes

export const resourceTypeNames = Object.keys(resourceTypes) as ResourceType[]
