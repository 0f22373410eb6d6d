import { type ResourceType, resourceTypes } from './resource-types.js'
import type { MistakeKind } from './scope.js'

/** The kinds of finding that the option `failOn` names: those left out are reported, not failed. */
export const failKinds = ['leaks', 'promises', 'rejections', 'assertions', 'warnings', 'fake-timers', 'slow-callbacks'] as const
export type FailKind = (typeof failKinds)[number]

/** What fails by default: all but slow callbacks, which `failOnSlowCallback` (or `failOn`) turns on. */
export const defaultFailOn: readonly FailKind[] = failKinds.filter((kind) => kind !== 'slow-callbacks')

const ofMistake: Record<MistakeKind, FailKind> = {
  uncaught: 'rejections',
  'unhandled-rejection': 'rejections',
  'late-handled-rejection': 'rejections',
  resumed: 'promises',
  warning: 'warnings',
  listeners: 'warnings',
  'unawaited-assertion': 'assertions',
  'slow-callback': 'slow-callbacks',
}

/** The `failOn` kind of an async mistake. */
export const failKindOfMistake = (kind: MistakeKind): FailKind => ofMistake[kind]

/** The `failOn` kind of what a scope left alive. */
export const failKindOfType = (type: ResourceType): FailKind => resourceTypes[type].failOn
