import type { Engine } from '../core/engine.js'
import type { Scope } from '../core/scope.js'
import { withVitestMarks } from './vitest-marks.js'

/** A fixture as @vitest/runner 4.1 registers it (TestFixtures.parseUserFixtures). */
interface Registration {
  name: string
  value: unknown
  scope: 'test' | 'file' | 'worker'
}
type Parse = (this: unknown, ...args: unknown[]) => Map<string, Registration>
/** `test` as @vitest/runner 3.2 builds it: `fn` is the function each chained variant copies its properties from. */
type Extendable = { extend?: Extend; fn?: { extend?: Extend } }
type Extend = (this: unknown, fixtures: Record<string, unknown>) => Extendable

/** The fixture scopes set up so far, to be judged when Vitest has torn them down. */
export interface FixtureScopes {
  /** Those of file scope set up in the file whose scope is `file`: judge them after its teardown. */
  takeFile(file: Scope): Scope[]
  /** Those of worker scope: judge them when the worker ends. */
  takeWorker(): Scope[]
  restore(): void
}

/**
 * Gives each fixture of scope `file` or `worker` (`test.extend({ db: [fn, { scope: 'file' }] })`)
 * a scope of its own. Vitest sets such a fixture up inside the first test that uses it, yet what it
 * creates is the fixture's, alive on purpose until its teardown: it must not fail that test.
 * Vitest has no public hook for fixtures: their registry is reached through `test`'s chainable
 * context, as @vitest/runner 4.1 builds it; in 3.2 (`throughExtend`), through `test.extend` and
 * the tests it returns. Where that is missing, fixtures stay with their first test.
 */
export function installFixtureScopes(test: object, engine: Engine, throughExtend: boolean): FixtureScopes {
  const files = new Map<Scope, Scope[]>()
  const workers: Scope[] = []
  const wrapped = new WeakSet<Function>()

  function inScope(fixture: Registration): void {
    const setup = fixture.value
    if (fixture.scope === 'test' || typeof setup !== 'function' || wrapped.has(setup)) return
    const own = function (this: unknown, ...args: unknown[]) {
      let file = engine.current()
      while (file && file.kind !== 'file') file = file.parent
      const scope = engine.open('fixture', fixture.name, fixture.scope === 'file' ? file : undefined, `scope: ${fixture.scope}`)
      if (fixture.scope === 'file' && file) files.set(file, [...(files.get(file) ?? []), scope])
      else workers.push(scope)
      return engine.run(scope, () => setup.apply(this, args), setup)
    }
    wrapped.add(own)
    // Vitest 3.2 reads the fixtures a fixture uses from its source.
    own.toString = () => setup.toString()
    fixture.value = withVitestMarks(own, setup)
  }

  // Vitest 3.2 takes `{ name: [setup, { scope }] }` as `test.extend` is called.
  function scopeExtend(api: Extendable): void {
    const extend = api.fn?.extend
    if (typeof extend !== 'function' || wrapped.has(extend)) return
    const own: Extend = function (this: unknown, definitions) {
      const entries = Object.entries(definitions ?? {}).map(([name, definition]) => {
        const [setup, options, ...rest] = Array.isArray(definition) ? definition : []
        const scope = (options as { scope?: unknown } | undefined)?.scope
        if (scope !== 'file' && scope !== 'worker') return [name, definition]
        const registration: Registration = { name, value: setup, scope }
        inScope(registration)
        return [name, [registration.value, options, ...rest]]
      })
      const extended = extend.call(this, Object.fromEntries(entries))
      scopeExtend(extended)
      return extended
    }
    wrapped.add(own)
    api.fn!.extend = own
    if (api.extend === extend) api.extend = own
  }
  const extendOf = (test as Extendable).fn?.extend
  if (throughExtend) scopeExtend(test as Extendable)

  const context = Object.getOwnPropertySymbols(test).find((key) => key.description === 'kChainableContext')
  const registry = context && (test as Record<symbol, { getFixtures?: () => object } | undefined>)[context]?.getFixtures?.()
  const proto = registry && (Object.getPrototypeOf(registry) as { parseUserFixtures?: Parse })
  const parse = proto?.parseUserFixtures
  if (proto && typeof parse === 'function')
    proto.parseUserFixtures = function (this: unknown, ...args: unknown[]) {
      const registrations = parse.apply(this, args)
      registrations.forEach(inScope)
      return registrations
    }

  return {
    takeFile(file) {
      const scopes = files.get(file) ?? []
      files.delete(file)
      return scopes
    },
    takeWorker: () => workers.splice(0),
    restore() {
      if (throughExtend && extendOf) (test as Extendable).fn!.extend = (test as Extendable).extend = extendOf
      if (proto && parse) proto.parseUserFixtures = parse
    },
  }
}
