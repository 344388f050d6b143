// The listings' hot queries page through an index in the listing's own order: no query reads and sorts
// every row of an integration (or a taxonomy) to answer one page, whatever the data volume.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { contentPage, termsPage } from '../../src/content/listing'
import { startServer, type TestServer } from '../helpers/server'
import { connectedSite } from './helpers'
import { sqliteOf } from '../../src/db/sqlite'

let s: TestServer
let integrationId: number
beforeAll(async () => {
  s = await startServer()
  integrationId = (await connectedSite(s)).integrationId
  // Enough rows, over two integrations, for the planner's statistics to matter.
  const other = (await connectedSite(s)).integrationId
  const sqlite = sqliteOf(s.db)
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
afterAll(() => s.stop(), 30_000)

type Query = { toSQL(): { sql: string; params: unknown[] } }
const plan = (q: Query) => {
  const { sql, params } = q.toSQL()
  return (
    sqliteOf(s.db)
      .query(`explain query plan ${sql}`)
      .all(...(params as never[])) as { detail: string }[]
  ).map((r) => r.detail)
}
const page = { page: 3, page_size: 50 }

const cases: [string, () => Query][] = [
  ['content, no filter', () => contentPage(s.db, integrationId, {}, page)],
  ['content by post_type', () => contentPage(s.db, integrationId, { post_type: 'post' }, page)],
  ['content by status', () => contentPage(s.db, integrationId, { status: 'draft' }, page)],
  ['content by post_type and status', () => contentPage(s.db, integrationId, { post_type: 'post', status: 'draft' }, page)],
  ['terms of one taxonomy', () => termsPage(s.db, integrationId, 'category', page)],
  ['terms of every taxonomy', () => termsPage(s.db, integrationId, undefined, page)],
]

describe('EXPLAIN QUERY PLAN of the listings', () => {
  for (const analyzed of [false, true]) {
    for (const [name, query] of cases) {
      it(`${name}${analyzed ? ' (after ANALYZE)' : ''}: searches an index, never sorts in a temp b-tree`, () => {
        if (analyzed) sqliteOf(s.db).exec('ANALYZE')
        const detail = plan(query())
        expect(detail.join('\n')).toMatch(/^SEARCH \w+ USING (COVERING )?INDEX \w+ \(integration_id=\?/m)
        expect(detail.join('\n')).not.toContain('TEMP B-TREE')
        expect(detail.join('\n')).not.toMatch(/^SCAN /m)
      })
    }
  }
})
