import type { ResourceType } from '../core/resource-types.js'

/** What to do about each type of leak, as Deno's sanitizers say it. */
export const hints: Record<ResourceType, string> = {
  timeout: 'clear it with clearTimeout(timer) before the test ends, or await what it schedules',
  interval: 'clear it with clearInterval(timer) before the test ends, e.g. in afterEach',
  immediate: 'clear it with clearImmediate(immediate), or await it',
  server: 'close it and wait: await new Promise((resolve) => server.close(resolve)) (server.closeAllConnections() first if clients keep connections alive)',
  socket: 'end it and wait for "close", or socket.destroy(); for HTTP, consume or abort the response',
  request: 'await the response and read or cancel its body (await res.text(), or res.body?.cancel()); give a request that may hang a signal: AbortSignal.timeout(ms)',
  'udp-socket': 'close it and wait: await new Promise((resolve) => socket.close(resolve))',
  'child-process': "stop it and wait: child.kill(); await once(child, 'exit')",
  watcher: 'close it: watcher.close() for fs.watch(), fs.unwatchFile(path) for fs.watchFile()',
  'file-handle': 'close it, e.g. in a finally block: await fileHandle.close(), fs.close(fd), or stream.destroy() for a stream never read to its end',
  worker: 'stop it and wait: await worker.terminate()',
  'message-port': 'close it: port.close(), or remove its message listener',
  'fake-timers': 'restore the real timers before the test ends, e.g. in afterEach: vi.useRealTimers() or jest.useRealTimers(); to run or drop the pending fake timers first (or instead, under fake timers that the file or a suite keeps installed), runOnlyPendingTimers() or clearAllTimers()',
  promise: 'await it (or return it from the test) so that the test waits for it; if it is meant to outlive the test, say so with allowPending(promise, reason)',
}
