import assert from 'node:assert/strict'
import { test } from 'node:test'
import { failed, passed } from './helpers/expect-results.mjs'
import { runShared, runners } from './helpers/runners.mjs'

for (const runner of runners) {
  const run = runShared(runner, 'dependencies')

  test(`${runner}: a warning that a dependency emits because of how the test calls it names the dependency, and how to let it pass`, () => {
    failed(
      run,
      'calls a dependency in a way that makes it warn',
      /emitted InsecureConnectionWarning: connecting without TLS[\s\S]*Hint: it was emitted by "dep-warns" \(\S*node_modules\/dep-warns\/index\.js:3:25\), a dependency, because of how the code under test calls it: if that is on purpose, let this warning pass with the option `ignore: \{ warnings: \["connecting without TLS"\] \}` \(every InsecureConnectionWarning: `warnings: \{ InsecureConnectionWarning: 'warn' \}`\); otherwise fix the call/,
    )
  })

  test(`${runner}: a resource that a dependency made from a callback of its own names the dependency, its line, and how to let it pass`, () => {
    failed(
      run,
      'leaves a timer that a dependency made for it from a callback',
      /setTimeout of 5000 ms, created by dependency "dep-warns" at \S*node_modules\/dep-warns\/index\.js:14:22 \(no line of your code on its stack\)\n\s+Hint: [^\n]*"dep-warns" made it for something the test started: [^\n]*`ignore\.stacks: \['node_modules\/dep-warns\/'\]`/,
    )
  })

  // prom-client's suite: nock's delayed reply to a request the client gave up on ends on its own.
  test(`${runner}: a short timer that a dependency made for the test is waited for, not reported`, () => {
    passed(run, 'gives up on a reply that a dependency delays')
  })

  test(`${runner}: a dependency's own pending calls and its top-level await are not the test's`, () => {
    passed(run, 'leaves a call of a dependency pending')
    passed(run, 'resumes the call of the dependency')
    passed(run, 'imports a dependency with top-level await')
    assert.doesNotMatch(run.output, /waitForConfig|dep-tla/)
  })
}
