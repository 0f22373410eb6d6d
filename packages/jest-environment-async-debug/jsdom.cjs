// First: turns on Node's compile cache, where it has one, before the bundle is compiled (see there).
require('async-debug/compile-cache')
module.exports = require('async-debug/jest/jsdom')
