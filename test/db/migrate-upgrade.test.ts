// Upgrading a populated database: every row survives, and a drizzle-kit table rebuild never cascades to children.
import { afterAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDb, type Db } from '../../src/db/client'
import { migrateDb, migrateFolder, MigrationError, writeMigrations } from '../../src/db/migrate'
import { migrationJournal } from '../../src/db/migrations.generated'
import { sqliteOf } from '../../src/db/sqlite'

const dirs: string[] = []
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'igny8-migrate-test-'))
  dirs.push(d)
  return d
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

const entries = migrationJournal.entries
const freshDb = () => openDb(join(tempDir(), 'igny8.db'))

/** A migrations folder with the embedded migrations `upTo` (inclusive), plus extra hand-written ones after them. */
function folderWith(upTo: number, extra: Record<string, string> = {}): string {
  const folder = tempDir()
  writeMigrations(folder, entries.slice(0, upTo + 1))
  const last = entries[upTo]!
  const added = Object.entries(extra).map(([tag, sql], i) => {
    writeFileSync(join(folder, `${tag}.sql`), sql)
    return { ...last, idx: upTo + 1 + i, tag, when: last.when + 1 + i }
  })
  writeFileSync(
    join(folder, 'meta', '_journal.json'),
    JSON.stringify({ ...migrationJournal, entries: [...entries.slice(0, upTo + 1), ...added] }),
  )
  return folder
}

/** One user with a site, an integration, content, terms, counters, events, tokens, a session and pull credentials. */
function populate(db: Db, opts: { termsJson?: boolean } = {}) {
  const run = (sql: string, ...params: (string | number | null)[]) => sqliteOf(db).run(sql, params)
  run(`INSERT INTO users (id, email, password_hash, is_admin) VALUES (1, 'a@example.com', 'hash-a', 1), (2, 'b@example.com', 'hash-b', 0)`)
  run(
    `INSERT INTO sites (id, owner_id, name, url) VALUES (10, 1, 'Blog', 'https://blog.example.com'), (11, 2, 'Shop', 'https://shop.example.com')`,
  )
  run(`INSERT INTO api_keys (site_id, name, prefix, key_hash) VALUES (10, 'k', 'igny8_sk_ab', 'kh-1'), (11, 'k', 'igny8_sk_cd', 'kh-2')`)
  run(`INSERT INTO integrations (id, site_id, platform, config_json) VALUES (20, 10, 'wordpress', '{"a":1}'), (21, 11, 'wordpress', '{}')`)
  for (let i = 1; i <= 50; i++)
    run(
      `INSERT INTO content (integration_id, external_id, post_type, title, modified_at) VALUES (?, ?, 'post', ?, '2025-01-01T00:00:00Z')`,
      i % 2 ? 20 : 21,
      i,
      `Post ${i}`,
    )
  if (opts.termsJson) run(`UPDATE content SET terms_json = '{"category":[3]}' WHERE external_id = 1`)
  run(
    `INSERT INTO content_taxonomy (integration_id, taxonomy, external_id, name) VALUES (20, 'category', 3, 'News'), (21, 'post_tag', 4, 'Sale')`,
  )
  run(
    `INSERT INTO type_counters (integration_id, kind, slug, synced_count) VALUES (20, 'post_type', 'post', 25), (21, 'post_type', 'post', 25)`,
  )
  run(
    `INSERT INTO sync_events (integration_id, kind, source, status, started_at) VALUES (20, 'push', 'plugin', 'ok', '2025-01-01T00:00:00Z'), (NULL, 'cron', 'cron', 'ok', '2025-01-02T00:00:00Z')`,
  )
  run(
    `INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES (1, 'f1', 'th-1', 9999999999999), (2, 'f2', 'th-2', 9999999999999)`,
  )
  run(`INSERT INTO admin_sessions (id_hash, user_id, csrf_token, expires_at) VALUES ('s1', 1, 'c', 9999999999999)`)
  run(
    `INSERT INTO pull_credentials (integration_id, wp_url, username, app_password_enc) VALUES (20, 'https://blog.example.com', 'admin', 'enc')`,
  )
  run(`INSERT INTO app_state (key, value) VALUES ('installed_at', '2025-01-01T00:00:00.000Z')`)
}

const TABLES = [
  'users',
  'sites',
  'api_keys',
  'integrations',
  'content',
  'content_taxonomy',
  'type_counters',
  'sync_events',
  'refresh_tokens',
  'admin_sessions',
  'pull_credentials',
  'app_state',
] as const
const countsOf = (db: Db) =>
  Object.fromEntries(TABLES.map((t) => [t, (sqliteOf(db).query(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n]))
const POPULATED = {
  users: 2,
  sites: 2,
  api_keys: 2,
  integrations: 2,
  content: 50,
  content_taxonomy: 2,
  type_counters: 2,
  sync_events: 2,
  refresh_tokens: 2,
  admin_sessions: 1,
  pull_credentials: 1,
  app_state: 1,
}

const SITES_REBUILD = `PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE \`__new_sites\` (
	\`id\` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	\`owner_id\` integer NOT NULL,
	\`name\` text NOT NULL,
	\`url\` text NOT NULL,
	\`is_active\` integer DEFAULT true NOT NULL,
	\`created_at\` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	\`updated_at\` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (\`owner_id\`) REFERENCES \`users\`(\`id\`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO \`__new_sites\`("id", "owner_id", "name", "url", "is_active", "created_at", "updated_at") SELECT "id", "owner_id", "name", "url", "is_active", "created_at", "updated_at" FROM \`sites\`;--> statement-breakpoint
DROP TABLE \`sites\`;--> statement-breakpoint
ALTER TABLE \`__new_sites\` RENAME TO \`sites\`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX \`sites_owner_idx\` ON \`sites\` (\`owner_id\`);`

describe('migrations on a populated database', () => {
  it('upgrade a database made by the first migration to head with every row and child intact', async () => {
    const db = freshDb()
    migrateFolder(db, folderWith(0))
    populate(db)
    const before = sqliteOf(db).query(`SELECT id, integration_id, external_id, title FROM content ORDER BY id`).all()
    await migrateDb(db)
    expect(countsOf(db)).toEqual(POPULATED)
    expect(sqliteOf(db).query(`SELECT id, integration_id, external_id, title FROM content ORDER BY id`).all()).toEqual(before)
    expect(sqliteOf(db).query(`SELECT DISTINCT terms_json FROM content`).all()).toEqual([{ terms_json: '{}' }])
    expect(sqliteOf(db).query(`SELECT email, token_version FROM users ORDER BY id`).all()).toEqual([
      { email: 'a@example.com', token_version: 0 },
      { email: 'b@example.com', token_version: 0 },
    ])
    expect(sqliteOf(db).query(`SELECT count(*) AS n FROM __drizzle_migrations`).get()).toEqual({ n: entries.length })
    expect(sqliteOf(db).query('PRAGMA foreign_keys').get()).toEqual({ foreign_keys: 1 })
    expect(sqliteOf(db).query('PRAGMA foreign_key_check').all()).toEqual([])
  })

  it('rebuild a parent table the way drizzle-kit writes it without cascade-deleting its children', async () => {
    const db = freshDb()
    await migrateDb(db)
    populate(db, { termsJson: true })
    migrateFolder(db, folderWith(entries.length - 1, { '9000_rebuild_sites': SITES_REBUILD }))
    expect(countsOf(db)).toEqual(POPULATED)
    expect(sqliteOf(db).query('PRAGMA foreign_keys').get()).toEqual({ foreign_keys: 1 })
    // The children now point at the rebuilt table: deleting a site still cascades down to its content.
    sqliteOf(db).run(`DELETE FROM sites WHERE id = 10`)
    expect(sqliteOf(db).query(`SELECT count(*) AS n FROM content WHERE integration_id = 20`).get()).toEqual({ n: 0 })
    expect(sqliteOf(db).query(`SELECT count(*) AS n FROM content WHERE integration_id = 21`).get()).toEqual({ n: 25 })
  })

  it('refuse, in one line and with foreign keys back on, a migration that leaves rows without a parent', async () => {
    const db = freshDb()
    await migrateDb(db)
    populate(db)
    const orphaning = 'DELETE FROM `integrations` WHERE `id` = 20;'
    let error: unknown
    try {
      migrateFolder(db, folderWith(entries.length - 1, { '9001_orphan': orphaning }))
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(MigrationError)
    const message = (error as Error).message
    expect(message).not.toContain('\n')
    expect(message).toContain('content → integrations')
    expect(sqliteOf(db).query('PRAGMA foreign_keys').get()).toEqual({ foreign_keys: 1 })
  })

  it('stop `igny8 serve` with one line and exit 2 when the database has rows without a parent', async () => {
    const dir = tempDir()
    const db = openDb(join(dir, 'igny8.db'))
    await migrateDb(db)
    populate(db)
    sqliteOf(db).exec('PRAGMA foreign_keys = OFF')
    sqliteOf(db).run('DELETE FROM integrations WHERE id = 21')
    sqliteOf(db).close()
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir }
    const r = Bun.spawnSync([process.execPath, join(import.meta.dir, '../../src/index.ts'), 'serve', '--port', '0', '--data-dir', dir], {
      env,
      timeout: 15_000,
    })
    expect(r.exitCode).toBe(2)
    const lines = r.stderr.toString().trimEnd().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toStartWith('igny8: the database has 27 row(s) whose parent row is missing')
    expect(r.stdout.toString()).toBe('')
  })
})
