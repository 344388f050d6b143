// `npm test`: builds the executable (the smoke test runs it), runs the whole bun test suite,
// and ends with the one line CI reads: "N passed, N failed".
import { spawnSync } from 'node:child_process'

const bun = process.execPath
const build = spawnSync(bun, ['scripts/build.ts'], { stdio: 'inherit' })
if (build.status !== 0) {
  console.log('0 passed, 1 failed')
  process.exit(1)
}

const args = ['test', ...process.argv.slice(2)]
const run = spawnSync(bun, args, { stdio: ['inherit', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
process.stdout.write(run.stdout ?? '')
process.stderr.write(run.stderr ?? '')
const output = `${run.stdout}\n${run.stderr}`
const count = (word: string) => Number(new RegExp(`^\\s*(\\d+) ${word}$`, 'm').exec(output)?.[1] ?? 0)
let passed = count('pass')
let failed = count('fail')
// A crash before bun prints its summary must still count as a failure.
if (run.status !== 0 && failed === 0) failed = 1
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed > 0 || run.status !== 0 ? 1 : 0)
