import { environment } from './environment.js'

export { withAsyncDebug } from './environment.js'
export { asyncDebug, type AsyncDebugPlugin, type AsyncDebugPluginOptions } from './plugin.js'
export type { EnvironmentOptions } from './config-types.js'
export type { AsyncDebugOptions } from '../core/options.js'
export default environment
