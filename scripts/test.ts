// `npm test`: installs the Debian packages the suites need (before any hook could wait for apt),
// builds the executable (the smoke test runs it), runs the whole bun test suite with its output
// shown live, then the API suites again on PostgreSQL (test/engines.ts), and ends with the one line CI
// reads: "N passed, N failed".
import { join } from 'node:path'

const bun = process.execPath
const root = join(import.meta.dir, '..')

/** Ends the run as a failure before the suite could start (CI still gets its last line). */
function abort(why: string): never {
  console.error(`npm test: ${why}`)
  console.log('0 passed, 1 failed')
  process.exit(1)
}

const setup = Bun.spawnSync(['bash', join(import.meta.dir, 'install-test-deps.sh')], {
  cwd: root,
  stdio: ['inherit', 'inherit', 'inherit'],
})
if (setup.exitCode !== 0) abort('the Debian packages the suites need are missing (see above)')

const build = Bun.spawnSync([bun, 'scripts/build.ts'], { cwd: root, stdio: ['inherit', 'inherit', 'inherit'] })
if (build.exitCode !== 0) abort('the build failed')

// Bun's default is 5 s per test and hook, and it ignores a `timeout` key in bunfig.toml; the flag works for both.
const args = process.argv.slice(2)
const timeout = args.some((a) => a.startsWith('--timeout')) ? [] : ['--timeout', '60000']

/** Runs one `bun test` pass with its output shown live (or, `quiet`, printed when it ends); answers its totals. */
async function pass(files: string[], env: Record<string, string> = {}, quiet = false): Promise<{ passed: number; failed: number }> {
  const child = Bun.spawn([bun, 'test', ...timeout, ...files], {
    cwd: root,
    env: { ...process.env, ...env },
    stdin: 'inherit',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  let output = ''
  /** Passes a stream through to ours as it arrives, keeping a copy to read the totals from. */
  async function relay(stream: ReadableStream<Uint8Array>, to: NodeJS.WriteStream): Promise<void> {
    const decoder = new TextDecoder()
    for await (const chunk of stream) {
      output += decoder.decode(chunk, { stream: true })
      if (!quiet) await new Promise<void>((done) => to.write(chunk, () => done()))
    }
    output += decoder.decode()
  }
  await Promise.all([relay(child.stdout, process.stdout), relay(child.stderr, process.stderr)])
  if (quiet) process.stdout.write(output)
  return totals(output, await child.exited)
}

const results: { passed: number; failed: number }[] = []
if (args.length === 0) {
  // The whole suite on SQLite, with the test that mostly waits for minute boundaries (test/engines.ts BESIDE) run
  // at the same time in a second process, its output printed when it ends.
  const { BESIDE } = await import('../test/engines')
  const all = [...new Bun.Glob('test/**/*.test.ts').scanSync(root)].filter((f) => !BESIDE.includes(f)).sort()
  results.push(...(await Promise.all([pass(all), pass(BESIDE, {}, true)])))
} else results.push(await pass(args))
// The whole suite on SQLite, then (for a plain `npm test`) the API, content, push-back and isolation suites again on
// the suite's own PostgreSQL.
if (args.length === 0) {
  const { POSTGRES_SUITES, SQLITE_ONLY } = await import('../test/engines')
  const files = POSTGRES_SUITES.flatMap((dir) => [...new Bun.Glob(`${dir}/**/*.test.ts`).scanSync(root)]).filter((f) => !(f in SQLITE_ONLY))
  console.log(`\nThe same ${files.length} API, content, push-back and isolation test files on PostgreSQL (IGNY8_TEST_ENGINE=postgres):`)
  results.push(await pass(files.sort(), { IGNY8_TEST_ENGINE: 'postgres' }))
}
const passed = results.reduce((n, r) => n + r.passed, 0)
const failed = results.reduce((n, r) => n + r.failed, 0)
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed > 0 ? 1 : 0)

/**
 * Reads bun's summary (" N pass", " N fail", " N error" just before "Ran N tests across …").
 * Unhandled errors count as failures. Without a summary bun crashed: the tests it reported
 * still count, and the crash is one more failure; so is a non-zero exit with nothing failed.
 */
function totals(text: string, exitCode: number): { passed: number; failed: number } {
  const ran = [...text.matchAll(/^Ran \d+ tests? across \d+ files?\./gm)].at(-1)
  let passed: number
  let failed: number
  if (ran) {
    const summary = text.slice(text.lastIndexOf('\n\n', ran.index) + 1, ran.index)
    const count = (word: string) => Number(new RegExp(`^\\s*(\\d+) ${word}$`, 'm').exec(summary)?.[1] ?? 0)
    passed = count('pass')
    failed = count('fail') + count('errors?')
  } else {
    passed = text.match(/^\(pass\) /gm)?.length ?? 0
    failed = (text.match(/^\(fail\) /gm)?.length ?? 0) + 1
  }
  if (exitCode !== 0 && failed === 0) failed = 1
  return { passed, failed }
}
