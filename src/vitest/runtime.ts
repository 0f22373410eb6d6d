// What differs between Vitest 3.2, 4 and 5, for the code that patches the copy of Vitest running the tests.
import { readFileSync, realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import type { test as Test, vi as Vi } from 'vitest'

type Fn = (...args: any[]) => unknown

/** The parts of Vitest that the runner patches use, whatever its version. */
export interface VitestRuntime {
  /** 3 for Vitest 3.2; 4 for Vitest 4 and later, which the patches treat alike. */
  major: 3 | 4
  /** The class of the worker's test runner: its prototype is patched. */
  Runner: { prototype: object }
  /** @vitest/runner's getHooks: a suite's hook lists, by name. */
  getSuiteHooks(suite: unknown): unknown
  /** @vitest/runner's getFn: a test's function. */
  getTestFn(test: unknown): Fn
  /** @vitest/runner's getCurrentSuite: the describe block being collected. */
  getCurrentSuite(): unknown
  test: typeof Test
  vi: typeof Vi
  /**
   * Vitest 4 calls the runner's onAfterRetryTask after each try's fixtures are torn down; 3.2 has
   * no such hook: the test's last onFinished handler stands in for it.
   */
  afterRetryHook: boolean
  /**
   * Vitest 4 registers fixtures through a registry (TestFixtures.parseUserFixtures); 3.2 takes them
   * as `test.extend` is called.
   */
  fixturesThroughExtend: boolean
}

interface Vitest4 {
  TestRunner: { prototype: object; getSuiteHooks: Fn; getTestFn: Fn; getCurrentSuite: Fn }
  test: typeof Test
  vi: typeof Vi
}

/**
 * Loads what the runner patches need from the `vitest` that this module resolves: in the vm pools,
 * the setup file's own copy; elsewhere, the worker's.
 */
export async function loadVitest(): Promise<VitestRuntime> {
  const vitest = (await import('vitest')) as unknown as Partial<Vitest4> & Pick<Vitest4, 'test' | 'vi'>
  const { TestRunner, test, vi } = vitest
  if (TestRunner)
    return {
      major: 4,
      Runner: TestRunner,
      getSuiteHooks: (suite) => TestRunner.getSuiteHooks(suite),
      getTestFn: (task) => TestRunner.getTestFn(task) as Fn,
      getCurrentSuite: () => TestRunner.getCurrentSuite(),
      test,
      vi,
      afterRetryHook: true,
      fixturesThroughExtend: false,
    }
  // Vitest 3.2: `vitest` has no runner class; `vitest/runners` and `vitest/suite` have what it needs.
  // Specifiers in variables: these modules are gone in Vitest 5, and the types come from Vitest 4.
  const runners = 'vitest/runners'
  const suite = 'vitest/suite'
  const [{ VitestTestRunner }, { getHooks, getFn, getCurrentSuite }] = await Promise.all([import(runners), import(suite)])
  return { major: 3, Runner: VitestTestRunner, getSuiteHooks: getHooks, getTestFn: getFn, getCurrentSuite, test, vi, afterRetryHook: false, fixturesThroughExtend: true }
}

type BuiltinEnvironments = typeof import('vitest/runtime').builtinEnvironments

/** Vitest's own environments (`node`, `jsdom`, `happy-dom`, `edge-runtime`), from where this version exports them. */
export async function loadBuiltinEnvironments(): Promise<BuiltinEnvironments> {
  const vitest = (await import('vitest')) as { TestRunner?: unknown }
  // Vitest 4 and 5 export them from `vitest/runtime`, 3.2 from `vitest/environments`.
  const from = vitest.TestRunner ? 'vitest/runtime' : 'vitest/environments'
  const { builtinEnvironments } = (await import(from)) as { builtinEnvironments: BuiltinEnvironments }
  return builtinEnvironments
}

// The major version of the Vitest that this module resolves, read from its package.json (whose
// path Vitest 3 does not export); 4 when none is found. Read once: a worker pays it at every start.
const vitestMajor = installedVitestMajor()

function installedVitestMajor(): number {
  for (const dir of createRequire(import.meta.url).resolve.paths('vitest') ?? []) {
    try {
      return Number((JSON.parse(readFileSync(join(dir, 'vitest', 'package.json'), 'utf8')) as { version: string }).version.split('.')[0])
    } catch {
      // Not in this folder.
    }
  }
  return 4
}

/**
 * The fields Vitest 3 requires of an environment besides 4's: `transformMode`. Vitest 4 reads
 * `viteEnvironment` instead, and warns of an environment that still has `transformMode`.
 */
export const vitest3Fields: { transformMode?: 'ssr' } = vitestMajor === 3 ? { transformMode: 'ssr' } : {}

/**
 * How `-t` names a test: Vitest 5 by its fullTestName (its suites' names and its own, by ' > ');
 * 3.2 and 4 by its full name (its own and its suites', the file's too, by spaces), though 4.1 has a fullTestName.
 */
export const testNameSeparator = vitestMajor >= 5 ? ' > ' : ' '

/** The resolved config's parts that decide whether Vitest 3.2 can run this environment. */
export interface PoolConfig {
  root: string
  pool?: string
  poolOptions?: Record<string, { isolate?: boolean } | undefined>
}

/**
 * Whether Vitest 3.2 can run this environment under `config`, or what to tell the user. Vitest 3.2
 * runs no custom environment (any, not only this one) on the vm pools: each file fails with "Vitest
 * failed to access its internal state". With `isolate: false`, a worker that loaded a custom
 * environment from outside the project's root (a workspace package whose node_modules are hoisted
 * above it) waits forever on its second file: it loads the environment again through the first
 * file's RPC channel, which nobody answers. Both are fixed in Vitest 4. Seen on 3.2.4 and 3.2.7.
 */
export function vitest3Refusal({ root, pool = 'forks', poolOptions }: PoolConfig): string | undefined {
  const instead = 'or Vitest 4.1 or later.'
  if (pool.startsWith('vm'))
    return `async-debug: Vitest 3.2 does not run a custom test environment such as 'async-debug' on the ${pool} pool (every file fails with "Vitest failed to access its internal state"). Use the forks or threads pool, ${instead}`
  if (poolOptions?.[pool]?.isolate !== false) return undefined
  const loaded = environmentPath(root)
  if (loaded === undefined || !relative(realpathSync(root), loaded).startsWith('..')) return undefined
  return `async-debug: Vitest 3.2 waits forever when, with \`isolate: false\`, a worker loads a custom test environment such as 'async-debug' from outside the project's root (${loaded} is outside ${root}): it loads it again for its second file through the first file's RPC channel. Install async-debug in the project's own node_modules, leave isolation on, ${instead}`
}

// Where Vitest finds `environment: 'async-debug'` for a project whose root is `root`, symbolic links resolved.
function environmentPath(root: string): string | undefined {
  try {
    return realpathSync(createRequire(join(root, 'package.json')).resolve('vitest-environment-async-debug'))
  } catch {
    return undefined
  }
}
