import assert from 'node:assert/strict'

/** Asserts that the test `title` of a run failed, with a message matching `pattern`. */
export function failed(run, title, pattern) {
  const result = run.tests.get(title)
  assert.equal(result?.status, 'failed', `${title}\n${run.output}`)
  assert.match(result.message, pattern)
}

/** Asserts that the test `title` of a run passed. */
export const passed = (run, title) => assert.equal(run.tests.get(title)?.status, 'passed', `${title}: ${run.tests.get(title)?.message}`)
