// `npm test`: installs the Debian packages the suites need (before any hook could wait for apt),
// builds the executable (the smoke test runs it), runs the whole bun test suite with its output
// shown live, and ends with the one line CI reads: "N passed, N failed".
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
const child = Bun.spawn([bun, 'test', ...timeout, ...args], { cwd: root, stdin: 'inherit', stdout: 'pipe', stderr: 'pipe' })
let output = ''

/** Passes a stream through to ours as it arrives, keeping a copy to read the totals from. */
async function relay(stream: ReadableStream<Uint8Array>, to: NodeJS.WriteStream): Promise<void> {
  const decoder = new TextDecoder()
  for await (const chunk of stream) {
    output += decoder.decode(chunk, { stream: true })
    await new Promise<void>((done) => to.write(chunk, () => done()))
  }
  output += decoder.decode()
}

await Promise.all([relay(child.stdout, process.stdout), relay(child.stderr, process.stderr)])
const status = await child.exited

const { passed, failed } = totals(output, status)
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed > 0 || status !== 0 ? 1 : 0)

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
