// SQLite only (test/engines.ts keeps this file out of the PostgreSQL pass; query-plans-pg.test.ts is its twin there).
// The listings' hot queries page through an index in the listing's own order: no query reads and sorts
// every row of an integration (or a taxonomy) to answer one page, whatever the data volume. The body
// statements of a batch read their JSON once and look each item up by its key.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { SQL } from 'drizzle-orm'
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core'
import { keptStatements } from '../../src/content/bodies'
import { contentPage, termsPage } from '../../src/content/listing'
import type { ItemInput } from '../../src/content/model'
import { openDb, type Db } from '../../src/db/client'
import { migrateDb } from '../../src/db/migrate'
import { sqliteOf } from '../../src/db/sqlite'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { post } from './helpers'

// Always a SQLite file, whatever IGNY8_TEST_ENGINE says: these plans are SQLite's.
let dir: string
let db: Db
let integrationId: number
let other: number
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'igny8-plans-'))
  db = openDb(join(dir, 'igny8.db'))
  await migrateDb(db)
  const sqlite = sqliteOf(db)
  sqlite.exec(`insert into users (email, password_hash) values ('plans@example.com', 'x')`)
  for (const name of ['A', 'B']) {
    sqlite.exec(`insert into sites (owner_id, name, url) values (1, '${name}', 'https://${name}.example.com')`)
  }
  sqlite.exec(`insert into integrations (site_id, platform) select id, 'wordpress' from sites`)
  ;[integrationId, other] = (sqlite.query('select id from integrations order by id').all() as { id: number }[]).map((r) => r.id) as [
    number,
    number,
  ]
  // Enough rows, over two integrations, for the planner's statistics to matter.
  sqlite.exec('begin')
  const item = sqlite.query(
    `insert into content (integration_id, external_id, post_type, status, title, modified_at) values (?, ?, ?, ?, ?, ?)`,
  )
  const term = sqlite.query(
    `insert into content_taxonomy (integration_id, taxonomy, external_id, name, parent_external_id) values (?, ?, ?, ?, ?)`,
  )
  for (const id of [integrationId, other]) {
    for (let i = 1; i <= 3000; i++) {
      item.run(id, i, i % 3 ? 'post' : 'page', i % 5 ? 'publish' : 'draft', `Item ${i}`, `2025-11-${10 + (i % 20)}T10:00:00+02:00`)
      term.run(id, i % 2 ? 'category' : 'post_tag', i, `Term ${i}`, i > 10 && i % 2 ? i - 10 : 0)
    }
  }
  sqlite.exec('commit')
}, 30_000)
afterAll(async () => {
  sqliteOf(db).close()
  rmSync(dir, { recursive: true, force: true })
})

const dialect = new SQLiteSyncDialect()
const plan = (q: { sql: string; params: unknown[] }) =>
  (
    sqliteOf(db)
      .query(`explain query plan ${q.sql}`)
      .all(...(q.params as never[])) as { detail: string }[]
  ).map((r) => r.detail)
const page = { page: 3, page_size: 50 }

type Query = { toSQL(): { sql: string; params: unknown[] } }
const cases: [string, () => Query][] = [
  ['content, no filter', () => contentPage(db, integrationId, {}, page)],
  ['content by post_type', () => contentPage(db, integrationId, { post_type: 'post' }, page)],
  ['content by status', () => contentPage(db, integrationId, { status: 'draft' }, page)],
  ['content by post_type and status', () => contentPage(db, integrationId, { post_type: 'post', status: 'draft' }, page)],
  ['terms of one taxonomy', () => termsPage(db, integrationId, 'category', page)],
  ['terms of every taxonomy', () => termsPage(db, integrationId, undefined, page)],
]

describe('SQLite: EXPLAIN QUERY PLAN of the listings', () => {
  for (const analyzed of [false, true]) {
    for (const [name, query] of cases) {
      it(`${name}${analyzed ? ' (after ANALYZE)' : ''}: searches an index, never sorts in a temp b-tree`, () => {
        if (analyzed) sqliteOf(db).exec('ANALYZE')
        const detail = plan(query().toSQL())
        expect(detail.join('\n')).toMatch(/^SEARCH \w+ USING (COVERING )?INDEX \w+ \(integration_id=\?/m)
        expect(detail.join('\n')).not.toContain('TEMP B-TREE')
        expect(detail.join('\n')).not.toMatch(/^SCAN /m)
      })
    }
  }
})

describe('SQLite: EXPLAIN QUERY PLAN under a status filter', () => {
  it('seeks the post type and the status in one index, so a rare status is not found by walking the whole type', () => {
    const detail = plan(contentPage(db, integrationId, { post_type: 'post', status: 'private' }, page).toSQL()).join('\n')
    expect(detail).toMatch(/INDEX content_integration_type_status_modified_idx \(integration_id=\? AND post_type=\? AND status=\?\)/)
  })
})

describe('SQLite: EXPLAIN QUERY PLAN of the body statements', () => {
  // Each statement must read its JSON once and look every item up by (integration_id, external_id): joined the
  // other way round, SQLite rescans the JSON (megabytes of bodies) once per stored row, and 1,000 bodies took seconds.
  const items = [
    { ...post(1), content: 'x', excerpt: 'e' },
    { ...post(2), content: null },
  ] as ItemInput[]
  for (const analyzed of [false, true])
    it(`looks each item up by its key, with${analyzed ? '' : 'out'} ANALYZE statistics`, () => {
      if (analyzed) sqliteOf(db).exec('analyze')
      const statements = keptStatements('sqlite', integrationId, items)
      expect(statements).toHaveLength(3)
      for (const st of statements) {
        const lines = plan(dialect.sqlToQuery(st as SQL))
        const onContent = lines.filter((l) => /^(SCAN|SEARCH) (content|c)\b/.test(l))
        expect(onContent.length).toBeGreaterThan(0)
        for (const l of onContent) expect(l).toMatch(/INDEX content_integration_external_uq \(integration_id=\? AND external_id=\?\)/)
      }
    })
})
