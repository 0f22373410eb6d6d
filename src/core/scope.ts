import type { Tracked } from './tracked.js'

/** The kinds of scope that own async work, outermost first. */
export type ScopeKind = 'worker' | 'file' | 'suite' | 'test' | 'fixture'

/**
 * A unit of the test run that owns the async resources created while its code runs.
 * A scope is judged once, when it closes: what it still owns that is alive is a finding.
 */
export class Scope {
  readonly resources = new Set<Tracked>()
  closed = false

  constructor(
    readonly kind: ScopeKind,
    readonly name: string,
    readonly parent?: Scope,
  ) {}

  /** How reports name this scope, e.g. `test "loads the user"`. */
  get title(): string {
    return this.kind === 'file' ? `file ${this.name}` : `${this.kind} "${this.name}"`
  }
}
