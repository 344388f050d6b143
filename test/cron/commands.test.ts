// `igny8 cron run-now`, `igny8 backup FILE`, and the server's catch-up run, as real subprocesses.
import { afterAll, describe, expect, it } from 'bun:test'
import { Database } from 'bun:sqlite'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeFileSync } from 'node:fs'
import { createUser, OPERATOR } from '../../src/users/service'
import { STATE, writeState } from '../../src/cron/app-state'
import { openDb } from '../../src/db/client'
import { migrateDb } from '../../src/db/migrate'
import { integrations, pullCredentials, sites } from '../../src/db/schema'
import { sealPassword } from '../../src/pull/secret-box'
import { sqliteOf } from '../../src/db/sqlite'

const dirs: string[] = []
const freshDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'igny8-cli-'))
  dirs.push(d)
  return d
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

const entry = join(import.meta.dir, '../../src/index.ts')
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' } // no IGNY8_* from the outside
function igny8(...args: string[]) {
  const r = Bun.spawnSync([process.execPath, entry, ...args], { env, stdout: 'pipe', stderr: 'pipe' })
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() }
}
/** A data dir whose database already exists (with a past install, so nothing is fresh). */
async function withDatabase(state: Record<string, string> = {}) {
  const dir = freshDir()
  const db = openDb(join(dir, 'igny8.db'))
  await migrateDb(db)
  for (const [k, v] of Object.entries(state)) await writeState(db, k, v)
  sqliteOf(db).close()
  return dir
}

describe('igny8 cron run-now', () => {
  it('runs the job once, prints what it did and exits 0', () => {
    const dir = freshDir()
    const r = igny8('cron', 'run-now', '--data-dir', dir)
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    expect(r.out).toContain('daily job finished in')
    expect(r.out).toContain('pulls: none')
    expect(r.out).toMatch(/backup: backups\/igny8-\d{8}-\d{6}\.db/)
    const db = new Database(join(dir, 'igny8.db'), { readonly: true })
    expect(db.query(`SELECT kind, source, integration_id FROM sync_events`).all()).toEqual([
      { kind: 'cron', source: 'cron', integration_id: null },
    ])
    db.close()
  })

  it('exits 0 when a pull fails, and says which one and why', async () => {
    const dir = await withDatabase()
    const secret = 'cli-test-secret-0123456789-0123456789'
    writeFileSync(join(dir, 'secret'), secret + '\n', { mode: 0o600 })
    const db = openDb(join(dir, 'igny8.db'))
    const user = await createUser(db, OPERATOR, { email: 'cli@example.com', password: 'correct horse battery' })
    const site = await db.insert(sites).values({ ownerId: user.id, name: 'Blog', url: 'https://blog.example.com' }).returning().get()
    const integration = await db.insert(integrations).values({ siteId: site.id, platform: 'wordpress' }).returning().get()
    const closed = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response() })
    const wpUrl = `http://127.0.0.1:${closed.port}`
    closed.stop(true)
    await db
      .insert(pullCredentials)
      .values({ integrationId: integration.id, wpUrl, username: 'admin', appPasswordEnc: sealPassword(secret, integration.id, 'pw') })
      .run()
    sqliteOf(db).close()

    const r = igny8('cron', 'run-now', '--data-dir', dir, '--pull-allow-private')
    expect(r.code).toBe(0)
    expect(r.out).toContain(`#${integration.id} ${wpUrl}: error — Could not connect to ${new URL(wpUrl).host}: connection refused`)
  })

  it('exits non-zero and does nothing while a live process holds the lock', async () => {
    const now = new Date().toISOString()
    // This test runner is the live holder: its pid exists, and its heartbeat is fresh.
    const holder = { owner: 'server', pid: process.pid, acquired_at: now, heartbeat_at: now }
    const dir = await withDatabase({ [STATE.lock]: JSON.stringify(holder) })
    const r = igny8('cron', 'run-now', '--data-dir', dir)
    expect(r.code).toBe(2)
    expect(r.err).toContain(`already running (process ${process.pid}`)
    expect(r.out).toBe('')
  })

  it('runs at once over a lock left by a process that is gone', async () => {
    const gone = Bun.spawnSync(['true']).pid
    const now = new Date().toISOString()
    const dir = await withDatabase({ [STATE.lock]: JSON.stringify({ owner: 'crashed', pid: gone, acquired_at: now, heartbeat_at: now }) })
    const r = igny8('cron', 'run-now', '--data-dir', dir)
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    expect(r.out).toContain('daily job finished in')
    const db = new Database(join(dir, 'igny8.db'), { readonly: true })
    expect(db.query(`SELECT value FROM app_state WHERE key = ?`).get(STATE.lock)).toBeNull() // released after the run
    db.close()
  })
})

describe('igny8 backup FILE', () => {
  it('writes a consistent copy, and refuses to overwrite it', async () => {
    const dir = await withDatabase()
    const file = join(freshDir(), 'copy.db')
    const r = igny8('backup', file, '--data-dir', dir)
    expect(r.code).toBe(0)
    expect(r.out).toContain(`written to ${file}`)
    const copy = new Database(file, { readonly: true })
    expect(copy.query(`PRAGMA integrity_check`).get()).toEqual({ integrity_check: 'ok' })
    expect(copy.query(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'pull_credentials'`).get()).toEqual({ n: 1 })
    copy.close()

    const again = igny8('backup', file, '--data-dir', dir)
    expect(again.code).toBe(2)
    expect(again.err).toContain('already exists; refusing to overwrite it')
  })

  it('says so when there is no database to back up', () => {
    const r = igny8('backup', join(freshDir(), 'copy.db'), '--data-dir', freshDir())
    expect(r.code).toBe(2)
    expect(r.err).toContain('there is no database')
  })
})

describe('igny8 serve', () => {
  it('catches up a missed run shortly after start-up and stops cleanly on SIGTERM', async () => {
    const dir = await withDatabase({ [STATE.installedAt]: '2020-01-01T00:00:00.000Z' })
    const proc = Bun.spawn([process.execPath, entry, 'serve', '--port', '0', '--data-dir', dir, '--backup-keep', '0'], {
      env,
      stdout: 'pipe',
      stderr: 'pipe',
    })
    let log = ''
    const reader = proc.stdout.getReader()
    const deadline = Date.now() + 20_000
    while (!log.includes('daily job finished') && Date.now() < deadline) {
      const { value, done } = await reader.read()
      if (done) break
      log += new TextDecoder().decode(value)
    }
    expect(log).toContain('"catch_up":true')
    expect(log).toContain('daily job finished')
    proc.kill('SIGTERM')
    expect(await proc.exited).toBe(0)
    expect(existsSync(join(dir, 'igny8.db'))).toBe(true)
  }, 30_000)
})
