// The PostgreSQL DDL (src/db/pg-schema, drizzle-pg/) must describe the same database as the SQLite schema the
// service code queries on both engines: same tables, columns, keys, constraints and indexes, and migrations
// that are generated from the mirror and embedded in the executable.
import { describe, expect, it } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { is, SQL, type Column } from 'drizzle-orm'
import { PgDialect, PgTable, getTableConfig as pgConfig } from 'drizzle-orm/pg-core'
import { SQLiteSyncDialect, SQLiteTable, getTableConfig as sqliteConfig } from 'drizzle-orm/sqlite-core'
import { renderPgManifest } from '../../scripts/embed-migrations'
import { pgMigrationJournal, pgMigrationSql } from '../../src/db/pg-migrations.generated'
import * as pgSchema from '../../src/db/pg-schema'
import * as sqliteSchema from '../../src/db/schema'

const root = join(import.meta.dir, '../..')
const pgDir = join(root, 'drizzle-pg')

type Config = ReturnType<typeof sqliteConfig> | ReturnType<typeof pgConfig>
type Side = {
  configOf: (table: unknown) => Config | undefined
  kind: (c: Column) => string
  sqlText: (s: SQL) => string
  now: string
}

const sqliteDialect = new SQLiteSyncDialect()
const pgDialect = new PgDialect()

const sqliteSide: Side = {
  configOf: (t) => (is(t, SQLiteTable) ? sqliteConfig(t) : undefined),
  // Booleans are INTEGER 0/1 in SQLite (drizzle's boolean mode or the `flag` custom type): told apart by what 1 reads as.
  kind: (c) => {
    if (typeof c.mapFromDriverValue(1) === 'boolean') return 'boolean'
    const type = c.getSQLType()
    return type === 'integer' || type === 'text' ? type : `sqlite ${type}`
  },
  sqlText: (s) => sqliteDialect.sqlToQuery(s).sql,
  now: `(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`,
}

const pgSide: Side = {
  configOf: (t) => (is(t, PgTable) ? pgConfig(t) : undefined),
  // Integers are bigint read as JS numbers (as SQLite returns them); text compares bytewise like SQLite's BINARY.
  kind: (c) => {
    const type = c.getSQLType()
    if (type === 'boolean') return 'boolean'
    if (type === 'bigint' && c.columnType === 'PgBigInt53') return 'integer'
    if (type === 'text COLLATE "C"') return 'text'
    return `pg ${type} (${c.columnType})`
  },
  sqlText: (s) => pgDialect.sqlToQuery(s).sql,
  now: `to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
}

const names = (cols: readonly { name: string }[]) => cols.map((c) => c.name).join(', ')

/** A column's default, dialect-neutral: literals as JSON (booleans as booleans), each engine's "now" as now(). */
function defaultOf(side: Side, c: Column, kind: string): string {
  if (c.default === undefined) return ''
  if (is(c.default, SQL)) {
    const text = side.sqlText(c.default)
    return text === side.now ? ' default now()' : ` default sql(${text})`
  }
  return ` default ${JSON.stringify(kind === 'boolean' ? Boolean(c.default) : c.default)}`
}

/** The other columns of the table a generated column is computed from. */
function generatedFrom(side: Side, c: Column, all: readonly Column[]): string {
  if (!c.generated) return ''
  const as = c.generated.as
  const text = is(as, SQL) ? side.sqlText(as) : typeof as === 'function' ? side.sqlText(as()) : String(as)
  const used = all.filter((o) => o !== c && new RegExp(`\\b${o.name}\\b`).test(text)).map((o) => o.name)
  return ` generated from (${used.join(', ')})`
}

/**
 * One line per fact of a schema: export names, tables, columns, keys, uniques and indexes. Two schemas match
 * when their sets of lines are equal; the lines one side lacks are the readable diff.
 */
function describeSchema(side: Side, schema: Record<string, unknown>): string[] {
  const lines: string[] = []
  for (const [exportName, value] of Object.entries(schema)) {
    const t = side.configOf(value)
    if (!t) continue
    lines.push(`export ${exportName} = table ${t.name}`)
    const fkColumns = new Set(t.foreignKeys.flatMap((fk) => fk.reference().columns.map((c) => c.name)))
    for (const c of t.columns) {
      const kind = side.kind(c)
      // A single integer key of its own (SQLite's rowid alias) is numbered by the database when omitted:
      // PostgreSQL's identity. A key that is a foreign key is always given.
      const auto = c.primary && kind === 'integer' && !fkColumns.has(c.name)
      const identity = 'generatedIdentity' in c && c.generatedIdentity ? ` identity ${c.generatedIdentity.type}` : ''
      // Drizzle marks every SQLite integer key as defaulted (a rowid alias): true only for the auto-numbered ones.
      const hasDefault = side === sqliteSide && c.primary && kind === 'integer' ? auto : c.hasDefault
      lines.push(
        `column ${t.name}.${c.name}: ${kind}${c.notNull ? ' not null' : ''}${hasDefault ? ' has default' : ''}` +
          defaultOf(side, c, kind) +
          generatedFrom(side, c, t.columns) +
          (side === pgSide ? identity : auto ? ' identity byDefault' : ''),
      )
      if (c.primary) lines.push(`primary key ${t.name}(${c.name})`)
      if (c.isUnique) lines.push(`unique ${c.uniqueName} on ${t.name}(${c.name})`)
    }
    for (const pk of t.primaryKeys) lines.push(`primary key ${t.name}(${names(pk.columns)})`)
    for (const uc of t.uniqueConstraints) lines.push(`unique ${uc.getName()} on ${t.name}(${names(uc.columns)})`)
    for (const fk of t.foreignKeys) {
      const ref = fk.reference()
      const target = side.configOf(ref.foreignTable)?.name
      lines.push(
        `foreign key ${t.name}(${names(ref.columns)}) -> ${target}(${names(ref.foreignColumns)})` +
          ` on delete ${fk.onDelete ?? 'no action'} on update ${fk.onUpdate ?? 'no action'}`,
      )
    }
    for (const ix of t.indexes) {
      const cols = ix.config.columns.map((c) => ('name' in c && typeof c.name === 'string' ? c.name : '<expression>'))
      // Every SQLite index ends in the rowid (the `id` column where that is the key), said or not; PostgreSQL's must
      // say it to serve the same "…, id" order, so a trailing id is the same index on either side.
      if (!ix.config.unique && cols.at(-1) === 'id' && t.columns.some((c) => c.name === 'id' && c.primary)) cols.pop()
      lines.push(`${ix.config.unique ? 'unique index' : 'index'} ${ix.config.name} on ${t.name}(${cols.join(', ')})`)
    }
  }
  return lines.sort()
}

/** The lines only one side has; both empty when the schemas match. */
function schemaDiff(sqlite: string[], pg: string[]) {
  return {
    onlyInSqlite: sqlite.filter((l) => !pg.includes(l)),
    onlyInPg: pg.filter((l) => !sqlite.includes(l)),
  }
}

const journalFile = () => JSON.parse(readFileSync(join(pgDir, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] }

describe('the PostgreSQL schema mirror (src/db/pg-schema)', () => {
  it('describes the same tables, columns, keys, foreign keys, unique constraints and indexes as the SQLite schema', () => {
    const sqlite = describeSchema(sqliteSide, sqliteSchema)
    const pg = describeSchema(pgSide, pgSchema)
    // Guards the describer itself: it must see every table and the facts that matter.
    expect(sqlite.filter((l) => l.startsWith('export ')).length).toBeGreaterThanOrEqual(15)
    expect(sqlite).toContain('primary key type_counters(integration_id, kind, slug)')
    expect(sqlite).toContain('column content.modified_at_utc: text generated from (modified_at)')
    expect(sqlite).toContain('column users.is_admin: boolean not null has default default false')
    expect(sqlite).toContain('foreign key content_changes(created_by) -> users(id) on delete set null on update no action')
    expect(sqlite).toContain('unique users_email_unique on users(email)')
    expect(sqlite).toContain('column content.id: integer not null has default identity byDefault')
    expect(sqlite).toContain('column content_bodies.content_id: integer not null')
    expect(schemaDiff(sqlite, pg)).toEqual({ onlyInSqlite: [], onlyInPg: [] })
  })

  it('tells apart schemas that differ, line by line', () => {
    const sqlite = describeSchema(sqliteSide, sqliteSchema)
    const renamed = sqlite.map((l) => l.replace('index sites_owner_idx ', 'index sites_owner_ix '))
    expect(schemaDiff(sqlite, renamed)).toEqual({
      onlyInSqlite: ['index sites_owner_idx on sites(owner_id)'],
      onlyInPg: ['index sites_owner_ix on sites(owner_id)'],
    })
  })

  it('has every change generated into drizzle-pg/ (run `npm run db:generate` if this fails)', async () => {
    const { generateDrizzleJson, generateMigration } = await import('drizzle-kit/api')
    const { entries } = journalFile()
    const prefix = entries.at(-1)?.tag.split('_')[0]
    const last = JSON.parse(readFileSync(join(pgDir, `meta/${prefix}_snapshot.json`), 'utf8'))
    expect(await generateMigration(last, generateDrizzleJson(pgSchema))).toEqual([])
  })
})

describe('the PostgreSQL migrations (drizzle-pg/)', () => {
  it('are all embedded in src/db/pg-migrations.generated.ts (run `npm run db:generate` if this fails)', () => {
    const journal = journalFile()
    const files = readdirSync(pgDir).filter((f) => f.endsWith('.sql'))
    expect(files.sort()).toEqual(journal.entries.map((e) => `${e.tag}.sql`).sort())
    expect(pgMigrationJournal).toEqual(journal as typeof pgMigrationJournal)
    expect(Object.keys(pgMigrationSql)).toEqual(journal.entries.map((e) => e.tag))
    for (const e of journal.entries) expect(pgMigrationSql[e.tag]).toBe(readFileSync(join(pgDir, `${e.tag}.sql`), 'utf8'))
    expect(readFileSync(join(root, 'src/db/pg-migrations.generated.ts'), 'utf8')).toBe(renderPgManifest())
  })

  it('store content.modified_at_utc as igny8_utc(modified_at), defining that immutable function before its first use', () => {
    const all = pgMigrationJournal.entries.map((e) => pgMigrationSql[e.tag]).join('\n')
    const column = /"modified_at_utc" text COLLATE "C" GENERATED ALWAYS AS \(igny8_utc\(modified_at\)\) STORED/
    expect(all).toMatch(column)
    const definition = all.search(/CREATE FUNCTION igny8_utc\(text\) RETURNS text\s+LANGUAGE sql IMMUTABLE STRICT/)
    expect(definition).toBeGreaterThanOrEqual(0)
    expect(definition).toBeLessThan(all.indexOf('igny8_utc(modified_at)'))
    expect(definition).toBeLessThan(all.indexOf('CREATE TABLE'))
  })
})
