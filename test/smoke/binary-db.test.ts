// The compiled executable carries its migrations and its database worker: migrate, back up and run the daily
// job on a fresh data dir, with nothing left behind in the temp dir.
import { afterAll, describe, expect, it } from 'bun:test'
import { Database } from 'bun:sqlite'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDb } from '../../src/db/client'
import { migrateFolder, writeMigrations } from '../../src/db/migrate'
import { migrationJournal } from '../../src/db/migrations.generated'
import { sqliteOf } from '../../src/db/sqlite'

const BIN = join(import.meta.dir, '..', '..', 'dist', 'igny8')
if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` (bun scripts/build.ts) before this test`)

const tmp = mkdtempSync(join(tmpdir(), 'igny8-smoke-db-'))
const dataDir = join(tmp, 'data')
const childTmp = join(tmp, 'tmp') // the executable's TMPDIR, to see what it leaves there
mkdirSync(childTmp)
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmp, TMPDIR: childTmp }
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

function run(...args: string[]) {
  return runIn(dataDir, ...args)
}
function runIn(dir: string, ...args: string[]) {
  const r = Bun.spawnSync([BIN, ...args, '--data-dir', dir], { cwd: tmp, env, timeout: 30_000 })
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() }
}

describe('igny8 (compiled) on a fresh data dir', () => {
  it('migrates to the newest schema with foreign keys on, leaving no migration files in the temp dir', () => {
    const r = run('user', 'create', '--email', 'admin@example.com', '--password', 'correct horse battery staple', '--admin')
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const db = new Database(join(dataDir, 'igny8.db'), { readonly: true })
    expect(db.query(`SELECT name FROM pragma_table_info('users') WHERE name = 'token_version'`).all()).toHaveLength(1)
    expect(db.query('PRAGMA foreign_key_check').all()).toEqual([])
    db.close()
    expect(readdirSync(childTmp)).toEqual([])
  })

  it('writes `igny8 backup FILE` through its worker: a valid, owner-only copy', () => {
    const file = join(tmp, 'copy.db')
    const r = run('backup', file)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const copy = new Database(file, { readonly: true })
    expect(copy.query('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' })
    expect(copy.query('SELECT email FROM users').all()).toEqual([{ email: 'admin@example.com' }])
    copy.close()
  })

  it('runs the daily job with `cron run-now`: optimize and the dated backup succeed', () => {
    const r = run('cron', 'run-now')
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).not.toContain('failed')
    expect(r.stdout).toMatch(/backup: backups\/igny8-\d{8}-\d{6}\.db/)
    expect(readdirSync(join(dataDir, 'backups'))).toHaveLength(1)
  })
})

describe('igny8 (compiled) on a database made by an older version', () => {
  it('upgrades it from the first migration, keeping every row', () => {
    const oldDir = join(tmp, 'old')
    const first = join(tmp, 'first-migration')
    writeMigrations(first, migrationJournal.entries.slice(0, 1))
    mkdirSync(oldDir, { mode: 0o700 })
    const db = openDb(join(oldDir, 'igny8.db'))
    migrateFolder(db, first)
    sqliteOf(db).run(`INSERT INTO users (id, email, password_hash) VALUES (1, 'old@example.com', 'x')`)
    sqliteOf(db).run(`INSERT INTO sites (id, owner_id, name, url) VALUES (1, 1, 'Blog', 'https://blog.example.com')`)
    sqliteOf(db).run(`INSERT INTO integrations (id, site_id, platform) VALUES (1, 1, 'wordpress')`)
    sqliteOf(db).run(`INSERT INTO content (integration_id, external_id, post_type, title) VALUES (1, 7, 'post', 'Kept')`)
    sqliteOf(db).close()

    const r = runIn(oldDir, 'user', 'list')
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('old@example.com')
    const after = new Database(join(oldDir, 'igny8.db'), { readonly: true })
    expect(after.query('SELECT count(*) AS n FROM __drizzle_migrations').get()).toEqual({ n: migrationJournal.entries.length })
    expect(after.query('SELECT title, terms_json FROM content').all()).toEqual([{ title: 'Kept', terms_json: '{}' }])
    after.close()
  })
})
