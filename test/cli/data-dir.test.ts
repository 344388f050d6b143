// ensureDataDir and loadOrCreateSecret (src/config.ts): what every command and `serve` do with the data dir at start,
// also when several processes start on one data dir at once.
import { describe, expect, it } from 'bun:test'
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const CONFIG = join(import.meta.dir, '..', '..', 'src', 'config.ts')

describe('starting on a data dir', () => {
  it('passes in processes starting on one data dir at once, and leaves no probe behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'igny8-datadir-'))
    // Each process probes the dir 300 times; with one shared probe name they removed each other's (ENOENT).
    const script = `import { ensureDataDir } from ${JSON.stringify(CONFIG)}; for (let i = 0; i < 300; i++) ensureDataDir(${JSON.stringify(dir)})`
    const procs = Array.from({ length: 6 }, () => Bun.spawn([process.execPath, '-e', script], { stdout: 'pipe', stderr: 'pipe' }))
    const results = await Promise.all(procs.map(async (p) => ({ code: await p.exited, stderr: await new Response(p.stderr).text() })))
    expect(results.filter((r) => r.code !== 0).map((r) => r.stderr)).toEqual([])
    expect(readdirSync(dir)).toEqual([])
  }, 30_000)

  it('gives processes that start on a new data dir at once one secret, whichever wrote it', async () => {
    const secrets = new Set<string>()
    for (let round = 0; round < 5; round++) {
      const dir = mkdtempSync(join(tmpdir(), 'igny8-secret-'))
      const script = `import { loadOrCreateSecret } from ${JSON.stringify(CONFIG)}; process.stdout.write(loadOrCreateSecret(${JSON.stringify(dir)}))`
      const procs = Array.from({ length: 6 }, () => Bun.spawn([process.execPath, '-e', script], { stdout: 'pipe', stderr: 'pipe' }))
      const results = await Promise.all(
        procs.map(async (p) => ({
          code: await p.exited,
          out: await new Response(p.stdout).text(),
          err: await new Response(p.stderr).text(),
        })),
      )
      expect(results.filter((r) => r.code !== 0).map((r) => r.err)).toEqual([])
      const stored = readFileSync(join(dir, 'secret'), 'utf8').trim()
      expect(stored).toMatch(/^[0-9a-f]{64}$/)
      expect(results.map((r) => r.out)).toEqual(Array(6).fill(stored))
      expect(statSync(join(dir, 'secret')).mode & 0o777).toBe(0o600)
      expect(readdirSync(dir)).toEqual(['secret'])
      secrets.add(stored)
    }
    expect(secrets.size).toBe(5)
  }, 60_000)
})
