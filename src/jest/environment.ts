import { relative } from 'node:path'
import type { EnvironmentContext, JestEnvironment, JestEnvironmentConfig } from '@jest/environment'
import type { Circus } from '@jest/types'
import { installEngine, uninstallEngine } from '../core/bridge.js'
import { Engine } from '../core/engine.js'
import { checkingConfig, optionsIn } from '../core/options.js'
import { stuckReport } from '../report/pending-tasks.js'
import { printSlowCallback } from '../report/slow-callback.js'
import { traceRecorder, writeTracePart } from '../report/trace-file.js'
import type { TraceRecorder } from '../report/trace.js'
import { writeRecords } from './worker-records.js'
import { type CircusScopes, circusScopes } from './circus-scopes.js'
import { watchFakeTimers } from './fake-timers.js'
import { nodeEnvironment } from './node-environment.js'

// Jest sends its config to workers as JSON.
const place = { key: 'testEnvironmentOptions', json: true }
// Jest's own packages (its reporter, for one, buffers a test's stdout writes behind a timer), by
// the package a file is in: the one after the last node_modules, since jsdom, nested in
// jest-environment-jsdom's node_modules, is not Jest's. Third-party jest-* packages are not Jest's.
const jestPackages = 'circus|cli|config|changed-files|diff|docblock|each|environment-node|environment-jsdom|haste-map|jasmine2|leak-detector|matcher-utils|message-util|mock|regex-util|repl|resolve|resolve-dependencies|runner|runtime|snapshot|util|validate|watcher|worker'
const jestCode = new RegExp(String.raw`[/\\]node_modules[/\\](?:@jest[/\\][^/\\]+|jest|jest-(?:${jestPackages}))[/\\](?!.*node_modules[/\\])`)

/** A Jest test environment class, as `testEnvironment` names one. */
export type EnvironmentClass = abstract new (config: JestEnvironmentConfig, context: EnvironmentContext) => JestEnvironment

const attached = new WeakMap<JestEnvironment, { engine: Engine; circus: CircusScopes; unwatch?: () => void; trace: TraceRecorder | undefined }>()

/**
 * Adds async-debug's per-test checks to a Jest test environment: timers, sockets, servers,
 * child processes, watchers, file handles, workers and promises that a test leaves behind fail
 * that test; those of a describe block's beforeAll or of import time fail the file.
 * Options are read from `testEnvironmentOptions.asyncDebug`.
 *
 * @example
 * ```js
 * // jsdom-async-debug.js, then `testEnvironment: './jsdom-async-debug.js'`
 * const { withAsyncDebug } = require('async-debug/jest')
 * const { TestEnvironment } = require('jest-environment-jsdom')
 * module.exports = withAsyncDebug(TestEnvironment)
 * ```
 */
export function withAsyncDebug<Base extends EnvironmentClass>(BaseEnvironment: Base): Base {
  if (typeof BaseEnvironment !== 'function') throw new TypeError(`withAsyncDebug: expected a Jest test environment class, got ${String(BaseEnvironment)}`)
  abstract class AsyncDebugEnvironment extends (BaseEnvironment as EnvironmentClass) {
    constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
      super(config, context)
      const { projectConfig } = config
      // Only when the summary reporter asked for a trace: otherwise the engine observes nothing.
      const trace = traceRecorder()
      const engine = new Engine(checkingConfig(() => optionsIn(projectConfig.testEnvironmentOptions, place)), {
        runnerCode: jestCode,
        modulesPerFile: true,
        onSlowCallback: printSlowCallback,
        // Straight to stderr: a stuck run may never flush what its console buffers.
        onStuck: (idleMs, waiting) => process.stderr.write(stuckReport(idleMs, waiting)),
        ...(trace ? { observer: trace } : {}),
      })
      const circus = circusScopes(engine, relative(projectConfig.rootDir, context.testPath), this.global as unknown as Record<string, unknown>)
      engine.onLate((mistake) => circus.late(mistake))
      attached.set(this, { engine, circus, trace })
      const own = this.handleTestEvent?.bind(this) as ((event: Circus.Event, state: Circus.State) => unknown) | undefined
      // Awaited by jest-circus for most events; the base environment's handler, if any, goes first.
      this.handleTestEvent = ((event: Circus.Event, state: Circus.State) => {
        const before = own?.(event, state)
        return before ? Promise.resolve(before).then(() => circus.handle(event, state)) : circus.handle(event, state)
      }) as Circus.EventHandler
    }

    override async setup(): Promise<void> {
      await super.setup()
      const attachment = attached.get(this)!
      const { engine, circus, trace } = attachment
      engine.enable(this.global)
      trace?.enable()
      installEngine(this.global, engine)
      attachment.unwatch = watchFakeTimers(this, engine)
      circus.loading()
    }

    override async teardown(): Promise<void> {
      const { engine, circus, unwatch, trace } = attached.get(this)!
      writeRecords(circus.records)
      writeTracePart(trace)
      unwatch?.()
      engine.disable()
      if (this.global) uninstallEngine(this.global)
      await super.teardown()
    }
  }
  return AsyncDebugEnvironment as unknown as Base
}

/** The Jest environment `async-debug`: jest-environment-node with per-test leak checks. */
export const TestEnvironment = withAsyncDebug(nodeEnvironment())
