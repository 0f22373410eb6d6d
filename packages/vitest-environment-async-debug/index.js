export { default } from 'async-debug/vitest'
