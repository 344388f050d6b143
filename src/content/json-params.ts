// Lists that travel to the database as ONE JSON parameter, so a batch of a thousand ids is one statement on
// either engine: expanded by json_each on SQLite, by json_array_elements_text / json_to_recordset on PostgreSQL
// (`json`, not jsonb: kept as the text sent, never re-parsed into a binary form that reorders keys).
import { sql, type SQL } from 'drizzle-orm'
import type { Engine } from '../db/client'

/** `(select …)`: the ids, one row each, for `x in …` (bigint on PostgreSQL, as the columns they meet). */
export const idList = (engine: Engine, ids: number[]): SQL =>
  engine === 'postgres'
    ? sql`(select value::bigint from json_array_elements_text(${JSON.stringify(ids)}::json))`
    : sql`(select value from json_each(${JSON.stringify(ids)}))`

/** `(select taxonomy, external_id …)`: the pairs, one row each, for `(taxonomy, external_id) in …`. */
export const pairList = (engine: Engine, pairs: { taxonomy: string; external_id: number }[]): SQL =>
  engine === 'postgres'
    ? sql`(select taxonomy, external_id from json_to_recordset(${JSON.stringify(pairs)}::json) as j(taxonomy text, external_id bigint))`
    : sql`(select value->>'taxonomy', value->>'external_id' from json_each(${JSON.stringify(pairs)}))`
