import type { Engine } from '../core/engine.js'

type Expect = (...args: unknown[]) => Record<string, unknown>

const isThenable = (value: unknown): value is Promise<unknown> => typeof (value as Promise<unknown> | undefined)?.then === 'function'

/** Matchers under `chain` (e.g. `resolves.not`), whose promises the engine expects the test to await. */
function watching(engine: Engine, matchers: object, chain: string[]): object {
  return new Proxy(matchers, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver)
      if (typeof key !== 'string') return value
      if (typeof value === 'object' && value !== null) return watching(engine, value, [...chain, key])
      if (typeof value !== 'function') return value
      return function (this: unknown, ...args: unknown[]) {
        const result = value.apply(this === receiver ? target : this, args)
        if (isThenable(result)) {
          const unawaited = new Error(`Promise returned by \`expect(actual).${[...chain, key].join('.')}(expected)\` was not awaited.`)
          engine.mustAwait(result, unawaited)
        }
        return result
      }
    },
  })
}

/**
 * Jest's `expect`, except that the promise of an `expect(...).resolves` or `.rejects` assertion
 * must be awaited by the test: one that is not passes or fails after the test, unseen.
 */
export function expectAwaitingAssertions(engine: Engine, expect: Expect): Expect {
  return new Proxy(expect, {
    apply(target, self, args) {
      const matchers = Reflect.apply(target, self, args)
      for (const key of ['resolves', 'rejects'])
        if (typeof matchers?.[key] === 'object' && matchers[key] !== null) matchers[key] = watching(engine, matchers[key] as object, [key])
      return matchers
    },
  })
}
