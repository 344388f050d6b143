// `npm test`: installs the Debian packages the suites need (before any hook could wait for apt),
// builds the executable (the smoke test runs it), runs the whole bun test suite with its output
// shown live and, beside it, the API suites again on PostgreSQL (test/engines.ts), and ends with the one line CI
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

type Totals = { passed: number; failed: number }

/**
 * Runs one `bun test` pass and answers its totals. Its output is shown live, or (`quiet`, for a pass run beside the
 * live one) kept and answered as `output` for the caller to print once the live pass is over.
 */
async function pass(files: string[], env: Record<string, string> = {}, quiet = false): Promise<Totals & { output: string }> {
  const child = Bun.spawn([bun, 'test', ...timeout, ...files], {
    cwd: root,
    env: { ...process.env, ...env },
    stdin: quiet ? 'ignore' : 'inherit',
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
  return { ...totals(output, await child.exited), output: quiet ? output : '' }
}

const results: Totals[] = []
if (args.length === 0) {
  // The whole suite on SQLite, shown live. Beside it, in their own processes (the suite keeps one core busy and
  // leaves the other mostly idle): the test that mostly waits for minute boundaries (test/engines.ts BESIDE), and
  // the API, content, push-back and isolation suites again on the suite's own PostgreSQL. Their output is printed
  // once the SQLite pass is over, so the two never interleave.
  const { BESIDE, POSTGRES_SUITES, SQLITE_ONLY } = await import('../test/engines')
  const all = [...new Bun.Glob('test/**/*.test.ts').scanSync(root)].filter((f) => !BESIDE.includes(f)).sort()
  const onPostgres = POSTGRES_SUITES.flatMap((dir) => [...new Bun.Glob(`${dir}/**/*.test.ts`).scanSync(root)])
    .filter((f) => !(f in SQLITE_ONLY))
    .sort()
  const beside = [pass(BESIDE, {}, true), pass(onPostgres, { IGNY8_TEST_ENGINE: 'postgres' }, true)]
  results.push(await pass(all))
  const [minutes, postgres] = await Promise.all(beside)
  console.log(`\n${BESIDE.join(', ')} (run beside the suite):`)
  process.stdout.write(minutes!.output)
  console.log(
    `\nThe same ${onPostgres.length} API, content, push-back and isolation test files on PostgreSQL (IGNY8_TEST_ENGINE=postgres), run beside the suite:`,
  )
  process.stdout.write(postgres!.output)
  results.push(minutes!, postgres!)
} else results.push(await pass(args))
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
