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
})
