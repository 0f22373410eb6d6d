module.exports = require('async-debug/jest/jsdom')
