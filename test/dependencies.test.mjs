import assert from 'node:assert/strict'
import { test } from 'node:test'
import { failed, passed } from './helpers/expect-results.mjs'
import { onlyFor, runShared, runners } from './helpers/runners.mjs'

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

  // React's scheduler (testing-library/react-testing-library on Jest + jsdom): a MessageChannel made as react-dom is imported.
  test(`${runner}: what a dependency makes as it is imported fails nothing, and is noted once with the ignore entry for exactly that package`, () => {
    passed(run, 'uses a dependency that made a port as it was imported')
    const notes = run.output.match(/async-debug: dependency "dep-port-at-import" made a MessagePort receiving messages as it was imported, at \S*node_modules\/dep-port-at-import\/index\.js:4:17: no test's leak, so it fails nothing\. To silence this note: ignore\.stacks: \['node_modules\/dep-port-at-import\/'\]/g)
    assert.equal(notes?.length, 1, run.output)
    assert.doesNotMatch(run.output, /imported\.test\.js left/)
  })
}

// Plain Jest never exits while such a port is open: it is ended with its file, silenced or not.
test('jest: what a dependency made as it was imported is ended with its file, also when an ignore entry silences it, so that Jest exits', onlyFor('jest'), () => {
  const run = runShared('jest', 'dependencies', { files: ['imported.test.js'], asyncDebug: { ignore: { stacks: ['node_modules/dep-port-at-import/'] } } })
  passed(run, 'uses a dependency that made a port as it was imported')
  assert.equal(run.hung, false, run.output)
  assert.equal(run.exitCode, 0, run.output)
  assert.doesNotMatch(run.output, /made a MessagePort/)
})

