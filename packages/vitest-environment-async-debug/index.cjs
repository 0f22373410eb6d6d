module.exports = require('async-debug/vitest')
