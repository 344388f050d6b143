// The one formatter, checked like any other test so CI fails on unformatted code.
import { describe, expect, it } from 'bun:test'
import { join } from 'node:path'

describe('formatting', () => {
  it('every source file is as Prettier writes it (run `npm run format` to fix)', () => {
    const root = join(import.meta.dir, '../..')
    const run = Bun.spawnSync(
      [process.execPath, join(root, 'node_modules/prettier/bin/prettier.cjs'), '--check', '--log-level', 'warn', '.'],
      {
        cwd: root,
        stdout: 'pipe',
        stderr: 'pipe',
      },
    )
    const report = `${run.stdout.toString()}${run.stderr.toString()}`.trim()
    expect(report).toBe('')
    expect(run.exitCode).toBe(0)
  }, 60_000)
})
