/**
 * What a leaked resource is, as facts read off it when it is found: one variant for each thing a
 * user is told of. The engine finds them; report/descriptions.ts words them, one row each (as Deno
 * keeps its sanitizers' detection apart from their wording).
 */
export type ResourceFacts =
  | { readonly is: 'timeout'; readonly ms: number | undefined }
  | { readonly is: 'interval'; readonly ms: number | undefined }
  /** A timeout set again by its own callback, at the same line: a chain whose delays vary. */
  | { readonly is: 'rearmed-timeout' }
  | { readonly is: 'immediate' }
  | { readonly is: 'server'; readonly protocol: 'HTTP' | 'TCP'; readonly address: string }
  | { readonly is: 'pipe-server'; readonly path: string }
  /** A client socket carrying an HTTP request of Node's http client. */
  | { readonly is: 'http-socket'; readonly method: string; readonly url: string }
  /** `ends` once connected; `connectingTo` until then; `accepted` if a server of the process accepted it. */
  | { readonly is: 'socket'; readonly ends: { readonly local: string; readonly remote: string } | undefined; readonly connectingTo: string | undefined; readonly accepted: boolean }
  | { readonly is: 'pipe-socket'; readonly connectingTo: string | undefined }
  | { readonly is: 'request'; readonly method: string; readonly url: string; readonly client: 'fetch' | 'http' }
  | { readonly is: 'udp-socket'; readonly bound: string | undefined }
  | { readonly is: 'child-process'; readonly command: string; readonly pid: number | undefined }
  | { readonly is: 'watcher'; readonly api: 'fs.watch()' | 'fs.watchFile()' }
  | { readonly is: 'file-handle'; readonly fd: number | undefined }
  | { readonly is: 'file-descriptor'; readonly fd: number; readonly path: string; readonly flags: string }
  | { readonly is: 'worker'; readonly threadId: number | undefined }
  /** A runner's fake clock that the scope installed, with how many fake timers it still has pending. */
  | { readonly is: 'fake-timers'; readonly api: string; readonly pending: number }
  /** Fake timers that a test added under a clock that an enclosing scope installed. */
  | { readonly is: 'fake-timers-under'; readonly api: string; readonly pending: number; readonly installer: string }
  /** Fake timers that a test left under the clock it installed again over the file's, a suite's or the runner's. */
  | { readonly is: 'fake-timers-again'; readonly api: string; readonly pending: number }
  | { readonly is: 'message-port' }
  /** An async function's promise that nothing awaited (`fn`: its name, none for an anonymous one). */
  | { readonly is: 'floating-call'; readonly fn: string | undefined }
  /** A promise that the scope waits on: an async function's, a `new Promise()`, or another. */
  | { readonly is: 'pending-promise'; readonly fn: string | undefined; readonly made: 'call' | 'new Promise()' | 'other' }
