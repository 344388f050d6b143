// The fields of a synced item that an absent key leaves as stored (contract "Content bodies"): content, excerpt,
// published_at and author. They travel apart from the row upsert, which replaces every field it writes, and the
// body goes to content_bodies so listings never read megabytes of block markup.
import { runSql, type Engine } from '../db/client'
import { sql, type SQL } from 'drizzle-orm'
import type { Tx } from './counters'
import { idList } from './json-params'
import { KEPT_WHEN_ABSENT, type ItemInput } from './model'

const carries = (item: ItemInput) => KEPT_WHEN_ABSENT.some((f) => item[f] !== undefined)

/** The item without the kept fields: what the row upsert writes and fingerprints (the item itself when it has none). */
export function rowPart(item: ItemInput): object {
  if (!carries(item)) return item
  const { content: _c, excerpt: _e, published_at: _p, author: _a, ...row } = item
  return row
}

/**
 * The kept fields' part of a fingerprint, "|content|excerpt|published_at|author" with one hash each ('' = empty),
 * an absent field taking its part from the stored fingerprint: so a batch that omits them is still `unchanged`,
 * and a repeated body is recognised without reading it. Empty when all four are, so rows without them keep the
 * fingerprints they had before these fields existed.
 */
export function keptPrint(item: ItemInput, stored: string | undefined): string {
  const before = stored?.split('|').slice(1)
  if (!before?.length && !carries(item)) return ''
  const parts = KEPT_WHEN_ABSENT.map((f, i) => {
    const v = item[f]
    if (v === undefined) return before?.[i] ?? ''
    if (v === null) return ''
    return Bun.hash(typeof v === 'string' ? v : JSON.stringify(v)).toString(36)
  })
  return parts.some(Boolean) ? `|${parts.join('|')}` : ''
}

/** Writes the kept fields of rows just upserted: only the ones each item carries, at most three statements per batch. */
export async function writeKept(tx: Tx, integrationId: number, items: ItemInput[]): Promise<void> {
  for (const statement of keptStatements(tx.engine, integrationId, items)) await runSql(tx, statement)
}

/** The statements writeKept runs on `engine` (exported for the query-plan tests: each must read its JSON once, not per stored row). */
export function keptStatements(engine: Engine, integrationId: number, items: ItemInput[]): SQL[] {
  const pg = engine === 'postgres'
  const carrying = items.filter(carries)
  const out: SQL[] = []
  const meta = carrying.filter((i) => i.excerpt !== undefined || i.published_at !== undefined || i.author !== undefined)
  if (meta.length) {
    const rows = JSON.stringify(
      meta.map((i) => ({ external_id: i.external_id, excerpt: i.excerpt, published_at: i.published_at, author: i.author })),
    )
    // An absent key (JSON.stringify drops undefined) keeps the stored value; a JSON null clears it. SQLite:
    // json_type(…) is null only for an absent key (a JSON null is 'null'). PostgreSQL: `->` is SQL NULL only for
    // an absent key (a JSON null is the json value null). The materialized list is scanned once with a lookup
    // per item; joined plainly, SQLite rescans the JSON per stored row.
    out.push(
      pg
        ? sql`
      with j(external_id, v) as materialized (select (value->>'external_id')::bigint, value from json_array_elements(${rows}::json))
      update content set
        excerpt = case when j.v->'excerpt' is null then content.excerpt else j.v->>'excerpt' end,
        published_at = case when j.v->'published_at' is null then content.published_at else j.v->>'published_at' end,
        author_id = case when j.v->'author' is null then content.author_id else (j.v->'author'->>'id')::bigint end,
        author_name = case when j.v->'author' is null then content.author_name else j.v->'author'->>'name' end
      from j
      where content.integration_id = ${integrationId} and content.external_id = j.external_id`
        : sql`
      with j(external_id, v) as materialized (select value->>'external_id', value from json_each(${rows}))
      update content set
        excerpt = iif(json_type(j.v, '$.excerpt') is null, content.excerpt, j.v->>'excerpt'),
        published_at = iif(json_type(j.v, '$.published_at') is null, content.published_at, j.v->>'published_at'),
        author_id = iif(json_type(j.v, '$.author') is null, content.author_id, j.v->>'$.author.id'),
        author_name = iif(json_type(j.v, '$.author') is null, content.author_name, j.v->>'$.author.name')
      from j
      where content.integration_id = ${integrationId} and content.external_id = j.external_id`,
    )
  }
  const bodies = carrying.filter((i) => typeof i.content === 'string')
  if (bodies.length) {
    const rows = JSON.stringify(bodies.map((i) => ({ id: i.external_id, body: i.content })))
    // SQLite: CROSS JOIN keeps the JSON outside (read once) and content inside (an index lookup per body), and
    // `where true` keeps ON CONFLICT from being read as a join constraint. PostgreSQL plans the join itself.
    out.push(
      pg
        ? sql`
      insert into content_bodies (content_id, body)
      select c.id, j.body from json_to_recordset(${rows}::json) as j(id bigint, body text)
        join content c on c.integration_id = ${integrationId} and c.external_id = j.id
      on conflict (content_id) do update set body = excluded.body`
        : sql`
      insert into content_bodies (content_id, body)
      select c.id, j.value->>'body' from json_each(${rows}) j
        cross join content c on c.integration_id = ${integrationId} and c.external_id = j.value->>'id'
      where true
      on conflict (content_id) do update set body = excluded.body`,
    )
  }
  const cleared = carrying.filter((i) => i.content === null).map((i) => i.external_id)
  if (cleared.length) {
    out.push(sql`
      delete from content_bodies where content_id in (
        select id from content where integration_id = ${integrationId} and external_id in ${idList(engine, cleared)})`)
  }
  return out
}
