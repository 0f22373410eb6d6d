#!/usr/bin/env node
// The command line: `async-debug merge-traces <output> <trace>...` puts the traces of a sharded
// run's shards (each written with ASYNC_DEBUG_TRACE) in one.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { mergeTraceFiles } from './report/trace-file.js'

const USAGE = 'usage: async-debug merge-traces <output.json> <trace.json>...'

function main([command, output, ...traces]: string[]): number {
  if (command !== 'merge-traces' || output === undefined || traces.length === 0) {
    process.stderr.write(`${USAGE}\n`)
    return 2
  }
  try {
    const merged = mergeTraceFiles(traces)
    const path = resolve(output)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, JSON.stringify(merged))
    process.stdout.write(`async-debug: ${traces.length} traces merged into ${path} (open it in ui.perfetto.dev)\n`)
    return 0
  } catch (error) {
    process.stderr.write(`async-debug merge-traces: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  }
}

process.exitCode = main(process.argv.slice(2))
