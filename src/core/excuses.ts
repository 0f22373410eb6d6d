import { dependencyOf, frameOrigin, framesOf, importedBy, locationOf } from './frames.js'
import { matches, type Settings } from './options.js'
import { forTests, wrapperOf } from './async-types.js'
import type { Excused, Finding, Tracked } from './scope.js'
import { type Site, siteStacks } from './site.js'

/** What the user said of a resource (why it may outlive its scope, its name), or of the object wrapping its handle (a server, a socket). */
export const byTarget = (said: WeakMap<object, string>, resource: object): string | undefined => said.get(resource) ?? said.get(wrapperOf(resource) ?? resource)

// The runner's own resources are not the user's to see, let alone to have excused.
const RUNNER = { by: 'runner' } as const

/**
 * Why a finding is let pass: `allowPending()`, an `ignore` rule, being the runner's own doing, or a
 * dependency's, made as it was imported. What is excused is kept with why, for the run's summary;
 * the runner's own is dropped unsaid.
 */
export class Excuses {
  readonly #settings: Pick<Settings, 'ignoreTypes' | 'ignoreStacks'>
  /** Where the runner's own modules live (see EngineAdapter.runnerCode). */
  readonly #runnerCode: RegExp | undefined
  readonly #pendingAllowed = new WeakMap<object, string>()
  // Whether a dependency made each resource as it was imported, read once: a scope's settling asks again at each look.
  readonly #imported = new WeakMap<Tracked, Omit<Excused, 'finding'> | null>()

  constructor(settings: Pick<Settings, 'ignoreTypes' | 'ignoreStacks'>, runnerCode: RegExp | undefined) {
    this.#settings = settings
    this.#runnerCode = runnerCode
  }

  /** Lets `target` (a promise, or a timer, handle or the object wrapping a handle) outlive its scope. */
  allowPending(target: object, reason: string): void {
    this.#pendingAllowed.set(target, reason)
  }

  /** Why `allowPending()` let the resource pass, if it did. */
  pendingAllowed(resource: object): string | undefined {
    return byTarget(this.#pendingAllowed, resource)
  }

  /** The findings that nothing excuses; `excused`, if given, receives the others with why. */
  unexcused(findings: Finding[], excused: Excused[] | undefined): Finding[] {
    return findings.filter((finding) => {
      const excuse = this.#excuse(finding)
      if (excuse !== undefined && excuse.by !== 'runner') excused?.push({ finding, ...excuse })
      return excuse === undefined
    })
  }

  #excuse({ type, tracked }: Finding): Omit<Excused, 'finding'> | typeof RUNNER | undefined {
    const { resource } = tracked
    const allowed = this.pendingAllowed(resource)
    if (allowed !== undefined) return { by: 'allowPending', reason: `allowPending(): ${allowed}` }
    const { ignoreTypes, ignoreStacks } = this.#settings
    if (ignoreTypes.has(type)) return { by: 'ignore', reason: `ignore.types: ${type}` }
    if (!forTests(tracked.asyncType) && this.#byRunner(tracked.site)) return RUNNER
    const stack = ignoreStacks.length === 0 ? '' : siteStacks(tracked.site).join('\n')
    const pattern = ignoreStacks.find((p) => matches(p, stack))
    if (pattern !== undefined) return { by: 'ignore', reason: `ignore.stacks: ${String(pattern)}` }
    let imported = this.#imported.get(tracked)
    if (imported === undefined) this.#imported.set(tracked, (imported = importedExcuse(tracked.site) ?? null))
    return imported ?? undefined
  }

  #byRunner(site: Site): boolean {
    if (this.#runnerCode === undefined) return false
    const creator = framesOf(site.stack).find((line) => frameOrigin(line) !== 'node')
    return creator !== undefined && frameOrigin(creator, this.#runnerCode) === 'runner'
  }
}

// The excuse of a resource that a dependency made as it was imported, if it was.
function importedExcuse(site: Site): Omit<Excused, 'finding'> | undefined {
  const frame = importedBy(site)
  const dependency = frame && dependencyOf(frame)
  if (dependency === undefined) return undefined
  const location = locationOf(frame!)
  return { by: 'import', reason: `made by dependency "${dependency}" as it was imported, at ${location}`, imported: { dependency, location } }
}
