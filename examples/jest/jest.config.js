export default { testEnvironment: 'async-debug', transform: {} }
