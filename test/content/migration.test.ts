// SQLite only (a SQLite file whatever IGNY8_TEST_ENGINE says; test/engines.ts keeps it out of the PostgreSQL pass).
// Upgrading a database from before 0004: existing content gets its UTC sort key and existing terms their
// tree paths, so listings are right without waiting for the plugin to resend anything.
import { afterAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { contentPage, termsPage } from '../../src/content/listing'
import { segment } from '../../src/content/tree'
import { openDb } from '../../src/db/client'
import { migrateDb, migrateFolder, writeMigrations } from '../../src/db/migrate'
import { migrationJournal } from '../../src/db/migrations.generated'
import { sqliteOf } from '../../src/db/sqlite'

const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'igny8-content-migration-'))
  dirs.push(d)
  return d
}

describe('SQLite: migrations 0004 and 0005 on a populated database', () => {
  it('fill modified_at_utc and tree_path/depth for rows stored before them', async () => {
    const db = openDb(join(tempDir(), 'igny8.db'))
    const before = tempDir()
    const upTo = migrationJournal.entries.findIndex((e) => e.tag.startsWith('0004_'))
    expect(upTo).toBeGreaterThan(0)
    writeMigrations(before, migrationJournal.entries.slice(0, upTo))
    migrateFolder(db, before)
    const run = (sql: string, ...params: (string | number)[]) => sqliteOf(db).run(sql, params)
    run(`INSERT INTO users (id, email, password_hash, is_admin) VALUES (1, 'a@example.com', 'h', 1)`)
    run(`INSERT INTO sites (id, owner_id, name, url) VALUES (10, 1, 'Blog', 'https://blog.example.com')`)
    run(`INSERT INTO integrations (id, site_id, platform) VALUES (20, 10, 'wordpress')`)
    const items: [number, string][] = [
      [1, '2025-11-22T11:00:00+02:00'],
      [2, '2025-11-22T10:00:00Z'],
      [3, '2025-11-22T05:45:00-04:00'],
    ]
    for (const [id, at] of items)
      run(`INSERT INTO content (integration_id, external_id, post_type, modified_at) VALUES (20, ?, 'post', ?)`, id, at)
    // News > World > Europe, a child whose parent never arrived, and a parent cycle (7 <-> 8).
    const terms: [number, string, number][] = [
      [3, 'World', 1],
      [1, 'News', 0],
      [4, 'Europe', 3],
      [5, 'Archive', 0],
      [6, 'Orphan', 99],
      [7, 'Loop A', 8],
      [8, 'Loop B', 7],
    ]
    for (const [id, name, parent] of terms)
      run(
        `INSERT INTO content_taxonomy (integration_id, taxonomy, external_id, name, parent_external_id) VALUES (20, 'category', ?, ?, ?)`,
        id,
        name,
        parent,
      )
    run(
      `INSERT INTO type_counters (integration_id, kind, slug, synced_count) VALUES (20, 'post_type', 'post', 3), (20, 'taxonomy', 'category', 7)`,
    )

    await migrateDb(db)
    const page = { page: 1, page_size: 50 }
    expect((await contentPage(db, 20, {}, page).all()).map((r) => [r.externalId, r.modifiedAt])).toEqual([
      [2, '2025-11-22T10:00:00Z'],
      [3, '2025-11-22T05:45:00-04:00'],
      [1, '2025-11-22T11:00:00+02:00'],
    ])
    const listed = await termsPage(db, 20, 'category', page).all()
    expect(listed.map((t) => [t.name, t.depth])).toEqual([
      ['Archive', 0],
      ['Loop A', 0],
      ['Loop B', 0],
      ['News', 0],
      ['World', 1],
      ['Europe', 2],
      ['Orphan', 0],
    ])
    // The same key the batch writer computes.
    const europe = sqliteOf(db).query(`select tree_path as p from content_taxonomy where external_id = 4`).get() as { p: string }
    expect(europe.p).toBe(segment('News', 1) + segment('World', 3) + segment('Europe', 4))
    sqliteOf(db).close()
  })
})
