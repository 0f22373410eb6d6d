// See index.js: the compiled bundle is kept for the next worker, where Node can.
require('node:module').enableCompileCache?.()
module.exports = require('async-debug/vitest')
