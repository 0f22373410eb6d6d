// The engine's own modules, compiled by `tsc --outDir test/.work/src` (a step of `npm test`), so that the core is tested without a runner.
export { Candidates } from '../.work/src/core/promises/candidates.js'
export { Engine } from '../.work/src/core/engine.js'
export { resolveOptions } from '../.work/src/core/options.js'
export { leakError } from '../.work/src/report/leak-error.js'
export { creationSite, userFrames } from '../.work/src/core/frames.js'
export { SlowCallbacks } from '../.work/src/core/slow-callbacks.js'
export { observeProcess } from '../.work/src/core/process-events.js'
export { runSummary } from '../.work/src/report/run-records.js'
