// Types are part of the build: the whole tree (src, views, tests, scripts, bench) must type-check.
import { describe, expect, it } from 'bun:test'
import { join } from 'node:path'

describe('type checking', () => {
  it('tsc --noEmit finds no errors (run `npm run typecheck`)', () => {
    const root = join(import.meta.dir, '../..')
    const run = Bun.spawnSync([join(root, 'node_modules/.bin/tsc'), '--noEmit', '-p', root], { cwd: root, stdout: 'pipe', stderr: 'pipe' })
    expect(`${run.stdout.toString()}${run.stderr.toString()}`.trim()).toBe('')
    expect(run.exitCode).toBe(0)
  }, 120_000)
})
