// --database-url on a PostgreSQL older than 15: one line naming the version, exit code 2, and nothing sent after the
// version query (no lock, no DDL). No server older than 15 can be installed here, so a wire-protocol stub plays 14.11
// (test/helpers/pg-wire-stub.ts); as 15.4 it shows the check compares the version rather than refusing everything.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startPgWireStub, type PgWireStub } from '../helpers/pg-wire-stub'
import { TEST_SECRET } from '../helpers/server'

const ENTRY = join(import.meta.dir, '..', '..', 'src', 'index.ts')
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('IGNY8_'))) as Record<string, string>
const PASSWORD = 'secretpw-7731'
let dir: string

/** Runs one igny8 command against the stub, killed after 30 s so that a hang fails rather than blocks. */
async function igny8(stub: PgWireStub, command: string[]) {
  const url = `postgres://user:${PASSWORD}@127.0.0.1:${stub.port}/db`
  const proc = Bun.spawn([process.execPath, ENTRY, ...command, '--data-dir', dir, '--database-url', url, '--secret', TEST_SECRET], {
    env,
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const timer = setTimeout(() => proc.kill(), 30_000)
  const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()])
  clearTimeout(timer)
  return { code, stdout, stderr }
}

const VERSION_QUERY = /current_setting\('server_version_num'\)/
// Anything that writes, locks or opens a transaction: none of it may reach a server igny8 refuses.
const WRITES_OR_LOCKS = /\b(create|alter|drop|insert|update|delete|truncate|grant|begin|lock|pg_advisory\w*|set)\b/i

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'igny8-pgversion-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('igny8 with --database-url on an old PostgreSQL', () => {
  it('refuses PostgreSQL 14 in one line with exit code 2, before taking a lock or writing anything', async () => {
    for (const command of [
      ['serve', '--port', '0'],
      ['user', 'create', '--email', 'old@example.com', '--password', 'correct horse battery'],
    ]) {
      const stub = await startPgWireStub('14.11')
      try {
        const started = Date.now()
        const r = await igny8(stub, command)
        expect(Date.now() - started).toBeLessThan(30_000)
        expect(r.code).toBe(2)
        expect(r.stderr.trim().split('\n')).toEqual(['igny8: PostgreSQL 14.11 is too old: igny8 needs PostgreSQL 15 or newer'])
        expect(r.stdout + r.stderr).not.toContain(PASSWORD)
        // The version query was the last statement, and nothing before it wrote or locked.
        const at = stub.queries.findIndex((q) => VERSION_QUERY.test(q))
        expect(at).toBeGreaterThanOrEqual(0)
        expect(stub.queries.slice(at + 1)).toEqual([])
        expect(stub.queries.filter((q) => WRITES_OR_LOCKS.test(q))).toEqual([])
        expect(stub.refused).toEqual([])
      } finally {
        await stub.stop()
      }
    }
  }, 80_000)

  it('goes past the version check on PostgreSQL 15 (so the check compares the version)', async () => {
    const stub = await startPgWireStub('15.4')
    try {
      const r = await igny8(stub, ['serve', '--port', '0'])
      expect(r.code).toBe(2)
      const lines = r.stderr.trim().split('\n')
      expect(lines).toHaveLength(1)
      expect(lines[0]).not.toContain('too old')
      // The next statement, the migration lock, is one the stub refuses: that is the line igny8 prints now.
      expect(lines[0]).toContain('cannot use the PostgreSQL database at --database-url: 0A000: not supported by the stub')
      expect(r.stdout + r.stderr).not.toContain(PASSWORD)
      const at = stub.queries.findIndex((q) => VERSION_QUERY.test(q))
      expect(at).toBeGreaterThanOrEqual(0)
      expect(stub.refused).toHaveLength(1)
      expect(stub.refused[0]).toMatch(/pg_advisory_lock/)
      expect(stub.queries.indexOf(stub.refused[0]!)).toBeGreaterThan(at)
    } finally {
      await stub.stop()
    }
  }, 40_000)
})
