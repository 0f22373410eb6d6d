export { expectNoPendingTasks, type ExpectNoPendingTasksOptions } from './api/expect-no-pending-tasks.js'
export type { AsyncDebugOptions, StackPattern } from './core/options.js'
export type { ResourceType } from './core/resource-types.js'
export { AsyncLeakError } from './report/leak-error.js'
