// PostgreSQL's twin of query-plans.test.ts (always a PostgreSQL database, whatever IGNY8_TEST_ENGINE says): at 20,000
// items over two integrations, after ANALYZE, a listing page is read from an index in the listing's own order (no
// Seq Scan, no Sort), the kept counters are an indexed read, and the body statements look each item up by its key.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { sql, type SQL } from 'drizzle-orm'
import { keptStatements } from '../../src/content/bodies'
import { contentPage, storedCountQuery, termsPage } from '../../src/content/listing'
import type { ItemInput } from '../../src/content/model'
import { allRows, closeDb, openDb, runSql, type Db } from '../../src/db/client'
import { migrateDb } from '../../src/db/migrate'
import { sharedPostgres } from '../helpers/postgres'
import { post } from './helpers'

const ITEMS = 10_000 // per integration
let db: Db
beforeAll(async () => {
  db = openDb(await (await sharedPostgres()).createDatabase())
  await migrateDb(db)
  // Integrations 1 and 2 hold the items and terms; 500 more hold only counters, so type_counters is no toy table.
  await runSql(db, sql`insert into users (email, password_hash) values ('plans@example.com', 'x')`)
  await runSql(
    db,
    sql`insert into sites (owner_id, name, url) select 1, 'Site ' || g, 'https://example.com' from generate_series(1, 502) g`,
  )
  await runSql(db, sql`insert into integrations (site_id, platform) select id, 'wordpress' from sites order by id`)
  await runSql(
    db,
    sql`insert into content (integration_id, external_id, post_type, status, title, slug, modified_at)
      select i, g, case when g % 3 = 0 then 'page' else 'post' end, case when g % 5 = 0 then 'draft' else 'publish' end,
             'Item ' || g, 'item-' || g, case when g % 97 = 0 then null else '2025-11-' || (10 + g % 20) || 'T10:00:00+02:00' end
      from generate_series(1, 2) i, generate_series(1, ${ITEMS}::int) g`,
  )
  await runSql(db, sql`insert into content_bodies (content_id, body) select id, 'Body ' || id from content where external_id % 2 = 0`)
  await runSql(
    db,
    sql`insert into content_taxonomy (integration_id, taxonomy, external_id, name, tree_path)
      select i, case when g % 2 = 1 then 'category' else 'post_tag' end, g, 'Term ' || g, 'Term ' || g
      from generate_series(1, 2) i, generate_series(1, ${ITEMS}::int) g`,
  )
  await runSql(
    db,
    sql`insert into type_counters (integration_id, kind, slug, synced_count)
      select i.id, v.kind, v.slug, 1 from integrations i,
        (values ('post_type', 'post'), ('post_type', 'page'), ('taxonomy', 'category'), ('taxonomy', 'post_tag')) v(kind, slug)`,
  )
  await runSql(db, sql`analyze`)
}, 60_000)
afterAll(async () => await closeDb(db))

type PlanNode = { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; 'Index Cond'?: string; Plans?: PlanNode[] }
const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)]
/** Every node of the plan PostgreSQL picks for `query`, its parameters bound as the service binds them. */
async function plan(query: SQL | { getSQL(): SQL }): Promise<PlanNode[]> {
  const q = 'getSQL' in query ? query.getSQL() : query
  const [row] = await allRows<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(db, sql`explain (format json) ${q}`)
  return nodes(row!['QUERY PLAN'][0]!.Plan)
}
const show = (p: PlanNode[]) => p.map((n) => `${n['Node Type']} ${n['Relation Name'] ?? ''} ${n['Index Name'] ?? ''}`.trim())
const seqScans = (p: PlanNode[]) => p.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name'])
const sorts = (p: PlanNode[]) => p.filter((n) => /Sort$/.test(n['Node Type']))

const page = { page: 3, page_size: 50 }
const pages: [string, () => { getSQL(): SQL }][] = [
  ['content, no filter', () => contentPage(db, 1, {}, page)],
  ['content by post_type', () => contentPage(db, 1, { post_type: 'post' }, page)],
  ['content by status', () => contentPage(db, 1, { status: 'draft' }, page)],
  ['content by post_type and status', () => contentPage(db, 1, { post_type: 'post', status: 'draft' }, page)],
  ['terms of one taxonomy', () => termsPage(db, 1, 'category', page)],
  ['terms of every taxonomy', () => termsPage(db, 1, undefined, page)],
]

describe('PostgreSQL: EXPLAIN of the listings at 20,000 items', () => {
  for (const [name, query] of pages)
    it(`${name}: reads a page from an index in the listing's order (no Seq Scan, no Sort)`, async () => {
      const p = await plan(query())
      expect({ seq: seqScans(p), sorts: sorts(p).length }).toEqual({ seq: [], sorts: 0 })
      expect(p.some((n) => /Index/.test(n['Node Type']))).toBe(true)
    })

  it('content by post_type and status: seeks the status in the index (a rare status is not found by walking the type)', async () => {
    const p = await plan(contentPage(db, 1, { post_type: 'post', status: 'private' }, page))
    const scans = p.filter((n) => n['Relation Name'] === 'content')
    expect(scans.map((n) => n['Index Name'])).toEqual(['content_integration_type_status_modified_idx'])
    expect(String(scans[0]!['Index Cond'])).toContain('status')
  })

  const counts: [string, () => { getSQL(): SQL }][] = [
    ['the kept counter of a post type', () => storedCountQuery(db, 1, 'post_type', 'post')],
    ['the kept counters of every taxonomy', () => storedCountQuery(db, 1, 'taxonomy', undefined)],
  ]
  for (const [name, query] of counts)
    it(`${name}: an indexed read, no Seq Scan`, async () => {
      const p = await plan(query())
      expect(seqScans(p)).toEqual([])
      expect(show(p).join('\n')).toMatch(/Index/)
    })
})

describe('PostgreSQL: EXPLAIN of the body statements', () => {
  const items = [
    { ...post(1), content: 'x', excerpt: 'e' },
    { ...post(2), content: null },
  ] as ItemInput[]
  it('looks each item up by (integration_id, external_id), never scanning content or content_bodies', async () => {
    const statements = keptStatements('postgres', 1, items)
    expect(statements).toHaveLength(3)
    for (const st of statements) {
      const p = await plan(st)
      expect(seqScans(p)).toEqual([])
      expect(p.filter((n) => n['Relation Name'] === 'content').map((n) => n['Index Name'])).toContain('content_integration_external_uq')
    }
  })
})
