import { TestEnvironment } from './environment.js'

export { TestEnvironment, withAsyncDebug, type EnvironmentClass } from './environment.js'
export type { AsyncDebugOptions } from '../core/options.js'
export default TestEnvironment
