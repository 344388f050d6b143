// What `igny8 db copy` copies and how: every table of src/db/schema in foreign-key order, read from SQLite in
// bounded batches by rowid range and written to PostgreSQL one batch per statement.
import type { Database } from 'bun:sqlite'
import { is, sql } from 'drizzle-orm'
import { getTableConfig, SQLiteTable, type SQLiteColumn } from 'drizzle-orm/sqlite-core'
import { allRows, runSql, type Db } from '../db/client'
import * as schema from '../db/schema'
import { STATE } from '../cron/app-state'

/** Rows per INSERT, and a cap on the characters of one batch (content bodies can be large). */
export const BATCH_ROWS = 5000
export const BATCH_CHARS = 8_000_000

export type CopyTable = {
  name: string
  /** The columns written (generated columns are left to PostgreSQL to compute). */
  columns: SQLiteColumn[]
  /** SQLite condition for the rows copied (app_state leaves out locks held by live processes). */
  where?: string
}

// Locks held by processes of this SQLite install mean nothing to the PostgreSQL nodes, and a copied lock would
// make them wait for its heartbeat to go stale: the daily job's lock and the pull locks (src/pull/pull-lock.ts
// names them `pull_lock:<integration id>`).
const APP_STATE_COPIED = `key <> '${STATE.lock}' and key not like 'pull\\_lock:%' escape '\\'`

/** Every table of src/db/schema, parents before children (foreign keys), otherwise in the schema's order. */
export function copyTables(): CopyTable[] {
  const tables = (Object.values(schema) as unknown[]).filter((t): t is SQLiteTable => is(t, SQLiteTable))
  const ordered: SQLiteTable[] = []
  const visit = (t: SQLiteTable, path: Set<SQLiteTable>) => {
    if (ordered.includes(t) || path.has(t)) return
    path.add(t)
    for (const fk of getTableConfig(t).foreignKeys) visit(fk.reference().foreignTable as SQLiteTable, path)
    ordered.push(t)
  }
  for (const t of tables) visit(t, new Set())
  return ordered.map((t) => {
    const config = getTableConfig(t)
    return {
      name: config.name,
      columns: config.columns.filter((c) => !c.generated),
      where: config.name === 'app_state' ? APP_STATE_COPIED : undefined,
    }
  })
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`

/** Rows of the table in SQLite: all of them, and those the copy takes. */
export function sourceCount(sqlite: Database, t: CopyTable): { all: number; copied: number } {
  const count = (where?: string) =>
    (sqlite.query(`select count(*) as n from ${q(t.name)}${where ? ` where ${where}` : ''}`).get() as { n: number }).n
  const all = count()
  return { all, copied: t.where ? count(t.where) : all }
}

/**
 * Copies one table into PostgreSQL through `tx`: batches of at most BATCH_ROWS rows (and BATCH_CHARS characters)
 * read by rowid range, each written with one INSERT … SELECT FROM json_populate_recordset (one parameter, whatever
 * the batch size; PostgreSQL converts each value to its column's type). Answers the rows written.
 */
export async function copyTable(
  sqlite: Database,
  tx: Db,
  t: CopyTable,
  limits = { rows: BATCH_ROWS, chars: BATCH_CHARS },
): Promise<number> {
  const names = t.columns.map((c) => q(c.name)).join(', ')
  const read = sqlite.query(
    `select rowid as "__rowid", ${names} from ${q(t.name)} where rowid > ?${t.where ? ` and (${t.where})` : ''} order by rowid`,
  )
  const target = sql.raw(q(t.name))
  const list = sql.raw(names)
  let after = Number.MIN_SAFE_INTEGER
  let written = 0
  for (;;) {
    const batch: Record<string, unknown>[] = []
    let chars = 0
    for (const row of read.iterate(after) as Iterable<Record<string, unknown>>) {
      after = row.__rowid as number
      const out: Record<string, unknown> = {}
      for (const c of t.columns) {
        const v = row[c.name]
        // The schema's own mapping: a flag stored as 0/1 in SQLite is a boolean for PostgreSQL.
        out[c.name] = v === null ? null : c.mapFromDriverValue(v)
        if (typeof v === 'string') chars += v.length
      }
      batch.push(out)
      if (batch.length >= limits.rows || chars >= limits.chars) break
    }
    if (batch.length === 0) return written
    const json = JSON.stringify(batch)
    written += await runSql(
      tx,
      sql`insert into ${target} (${list}) select ${list} from json_populate_recordset(null::${target}, ${json}::json)`,
    )
    if (batch.length < limits.rows && chars < limits.chars) return written
  }
}

/** Names of the tables that already hold rows in the target. */
export async function nonEmpty(tx: Db, tables: CopyTable[]): Promise<string[]> {
  const full: string[] = []
  for (const t of tables) {
    const [row] = await allRows<{ any: boolean }>(tx, sql`select exists (select 1 from ${sql.raw(q(t.name))}) as "any"`)
    if (row!.any) full.push(t.name)
  }
  return full
}

/** Points every identity sequence past the copied ids, so the next insert continues after them. */
export async function resetSequences(tx: Db, tables: CopyTable[]): Promise<void> {
  const identity = await allRows<{ table_name: string; column_name: string }>(
    tx,
    sql`select table_name, column_name from information_schema.columns where table_schema = current_schema() and is_identity = 'YES'`,
  )
  const ours = new Set(tables.map((t) => t.name))
  for (const { table_name: table, column_name: column } of identity) {
    if (!ours.has(table)) continue
    const col = sql.raw(q(column))
    // An empty table starts again at 1 (is_called false); otherwise the next id is max + 1.
    await allRows(
      tx,
      sql`select setval(pg_get_serial_sequence(${q(table)}, ${column}), coalesce(max(${col}), 1), max(${col}) is not null)
          from ${sql.raw(q(table))}`,
    )
  }
}

/** Rows of the table in PostgreSQL. */
export async function targetCount(tx: Db, t: CopyTable): Promise<number> {
  const [row] = await allRows<{ n: number }>(tx, sql`select count(*)::bigint as n from ${sql.raw(q(t.name))}`)
  return Number(row!.n)
}
