// The sites noted so far in this process: once each, whichever test file imports the dependency again.
const noted = new Set<string>()

/**
 * Notes, on stderr (a test's console may fail it: jest-fail-on-console), once per process and
 * creation line, what a dependency made as it was imported: no test's leak, which the user can
 * only silence, by the `ignore` entry that matches exactly that package.
 */
export function noteImported(description: string, { dependency, location }: { dependency: string; location: string }): void {
  if (noted.has(location)) return
  noted.add(location)
  process.stderr.write(
    `async-debug: dependency "${dependency}" made a ${description} as it was imported, at ${location}: no test's leak, so it fails nothing. To silence this note: ignore.stacks: ['node_modules/${dependency}/']\n`,
  )
}
