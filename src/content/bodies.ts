// The fields of a synced item that an absent key leaves as stored (contract "Content bodies"): content, excerpt,
// published_at and author. They travel apart from the row upsert, which replaces every field it writes, and the
// body goes to content_bodies so listings never read megabytes of block markup.
import { runSql } from '../db/client'
import { sql, type SQL } from 'drizzle-orm'
import type { Tx } from './counters'
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
  for (const statement of keptStatements(integrationId, items)) await runSql(tx, statement)
}

/** The statements writeKept runs (exported for the query-plan test: each must read its JSON once, not per stored row). */
export function keptStatements(integrationId: number, items: ItemInput[]): SQL[] {
  const carrying = items.filter(carries)
  const out: SQL[] = []
  const meta = carrying.filter((i) => i.excerpt !== undefined || i.published_at !== undefined || i.author !== undefined)
  if (meta.length) {
    const rows = JSON.stringify(
      meta.map((i) => ({ external_id: i.external_id, excerpt: i.excerpt, published_at: i.published_at, author: i.author })),
    )
    // json_type(…) is null only for an absent key (a JSON null is 'null'): absent keeps the stored value. The
    // materialized list is scanned once with a lookup per item; joined plainly, SQLite rescans the JSON per stored row.
    out.push(sql`
      with j(external_id, v) as materialized (select value->>'external_id', value from json_each(${rows}))
      update content set
        excerpt = iif(json_type(j.v, '$.excerpt') is null, content.excerpt, j.v->>'excerpt'),
        published_at = iif(json_type(j.v, '$.published_at') is null, content.published_at, j.v->>'published_at'),
        author_id = iif(json_type(j.v, '$.author') is null, content.author_id, j.v->>'$.author.id'),
        author_name = iif(json_type(j.v, '$.author') is null, content.author_name, j.v->>'$.author.name')
      from j
      where content.integration_id = ${integrationId} and content.external_id = j.external_id`)
  }
  const bodies = carrying.filter((i) => typeof i.content === 'string')
  if (bodies.length) {
    // CROSS JOIN keeps the JSON outside (read once) and content inside (an index lookup per body).
    out.push(sql`
      insert into content_bodies (content_id, body)
      select c.id, j.value->>'body' from json_each(${JSON.stringify(bodies.map((i) => ({ id: i.external_id, body: i.content })))}) j
        cross join content c on c.integration_id = ${integrationId} and c.external_id = j.value->>'id'
      where true
      on conflict (content_id) do update set body = excluded.body`)
  }
  const cleared = carrying.filter((i) => i.content === null).map((i) => i.external_id)
  if (cleared.length) {
    out.push(sql`
      delete from content_bodies where content_id in (
        select id from content where integration_id = ${integrationId}
          and external_id in (select value from json_each(${JSON.stringify(cleared)})))`)
  }
  return out
}
