import { describe, expect, it } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { renderManifest } from '../../scripts/embed-migrations'
import { openDb } from '../../src/db/client'
import { migrateDb } from '../../src/db/migrate'
import { sqliteOf } from '../../src/db/sqlite'

describe('embedded migrations', () => {
  it('embed every migration drizzle-kit wrote (run `npm run db:generate` if this fails)', () => {
    const current = readFileSync(join(import.meta.dir, '../../src/db/migrations.generated.ts'), 'utf8')
    expect(current).toBe(renderManifest())
  })

  it('apply to a fresh database with WAL, foreign keys and a busy timeout, and apply twice harmlessly', async () => {
    const db = openDb(':memory:')
    await migrateDb(db)
    await migrateDb(db)
    const tables = sqliteOf(db).query("select name from sqlite_master where type='table' order by name").all() as { name: string }[]
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['users', 'sites', 'api_keys', 'integrations', 'content', 'content_taxonomy', 'type_counters', 'sync_events']),
    )
    expect(sqliteOf(db).query('pragma foreign_keys').get()).toEqual({ foreign_keys: 1 })
    expect(sqliteOf(db).query('pragma busy_timeout').get()).toEqual({ timeout: 5000 })
  })

  it('need no temp folder once applied: a start on an up-to-date database skips the migrator', async () => {
    const db = openDb(':memory:')
    const tmp = process.env.TMPDIR
    const restore = () => (tmp === undefined ? delete process.env.TMPDIR : (process.env.TMPDIR = tmp))
    // A temp dir that cannot be created: the migrator's folder would fail, the check before it does not.
    const missing = join(import.meta.dir, 'no-such-dir', 'below')
    process.env.TMPDIR = missing
    try {
      await expect(migrateDb(db)).rejects.toThrow('no-such-dir')
      restore()
      await migrateDb(db)
      process.env.TMPDIR = missing
      await migrateDb(db)
    } finally {
      restore()
    }
    const applied = sqliteOf(db).query('select count(*) as n from __drizzle_migrations').get() as { n: number }
    expect(applied.n).toBe(JSON.parse(readFileSync(join(import.meta.dir, '../../drizzle/meta/_journal.json'), 'utf8')).entries.length)
  })
})
