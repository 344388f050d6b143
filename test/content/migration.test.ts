// SQLite only (a SQLite file whatever IGNY8_TEST_ENGINE says; test/engines.ts keeps it out of the PostgreSQL pass).
// Upgrading a database from before 0004: existing content gets its UTC sort key and existing terms their
// tree paths, so listings are right without waiting for the plugin to resend anything.
import { afterAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { contentPage, statusCountsOf, termsPage } from '../../src/content/listing'
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

/** A SQLite database migrated up to (not including) the migration whose tag starts with `prefix`, and a way to write rows. */
function migratedBefore(prefix: string) {
  const db = openDb(join(tempDir(), 'igny8.db'))
  const folder = tempDir()
  const upTo = migrationJournal.entries.findIndex((e) => e.tag.startsWith(prefix))
  expect(upTo).toBeGreaterThan(0)
  writeMigrations(folder, migrationJournal.entries.slice(0, upTo))
  migrateFolder(db, folder)
  const run = (sql: string, ...params: (string | number)[]) => sqliteOf(db).run(sql, params)
  return { db, run }
}

describe('SQLite: migrations 0004 and 0005 on a populated database', () => {
  it('fill modified_at_utc and tree_path/depth for rows stored before them', async () => {
    const { db, run } = migratedBefore('0004_')
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

describe('SQLite: migration 0008 on a populated database', () => {
  it('counts the items stored before it into status_counters, per integration, post type and status', async () => {
    const { db, run } = migratedBefore('0008_')
    run(`INSERT INTO users (id, email, password_hash, is_admin) VALUES (1, 'a@example.com', 'h', 1)`)
    run(
      `INSERT INTO sites (id, owner_id, name, url) VALUES (10, 1, 'Blog', 'https://blog.example.com'), (11, 1, 'Shop', 'https://shop.example.com')`,
    )
    run(`INSERT INTO integrations (id, site_id, platform) VALUES (20, 10, 'wordpress'), (21, 11, 'wordpress')`)
    const rows: [number, number, string, string][] = [
      [20, 1, 'post', 'publish'],
      [20, 2, 'post', 'publish'],
      [20, 3, 'post', 'draft'],
      [20, 4, 'page', 'publish'],
      [21, 1, 'post', 'private'],
    ]
    for (const [integration, id, type, status] of rows)
      run(`INSERT INTO content (integration_id, external_id, post_type, status) VALUES (?, ?, ?, ?)`, integration, id, type, status)

    await migrateDb(db)
    expect(await statusCountsOf(db, 20, 'post')).toEqual([
      { status: 'publish', n: 2 },
      { status: 'draft', n: 1 },
    ])
    expect(await statusCountsOf(db, 20, 'page')).toEqual([{ status: 'publish', n: 1 }])
    expect(await statusCountsOf(db, 21, 'post')).toEqual([{ status: 'private', n: 1 }])
    sqliteOf(db).close()
  })
})
