// Keeps content_taxonomy.tree_path and depth: each term's path is its ancestors' segments and its own,
// so ordering by tree_path lists every parent before its children (siblings by name, then id) and a
// page of a taxonomy is an index range, whatever its size.
import { and, eq, gt, lt, ne, sql } from 'drizzle-orm'
import { allRows, type Db } from '../db/client'
import { prepared } from '../db/prepared'
import { contentTaxonomy } from '../db/schema'
import type { Tx } from './counters'
import { idList } from './json-params'

/** Bounds a walk up the parents: WordPress hierarchies are shallow; deeper terms are listed under their 100th ancestor. */
const MAX_DEPTH = 100
/** Above any character a name can hold: `path < prefix || TOP` selects everything under `prefix`. */
const TOP = '\u{10FFFF}'

/**
 * One level of a path. \x01 and \x02 sort below every printable character, so "a" sorts before "ab"
 * and a parent's segment is a prefix of each of its children's; the id is zero-padded so it sorts as
 * a number. The migration that filled existing rows uses the same expression in SQL.
 */
export const segment = (name: string, externalId: number) =>
  `${name.replace(/[\x01\x02]/g, '')}\x01${String(externalId).padStart(16, '0')}\x02`

type Row = { id: number; name: string; parent: number; path: string; depth: number }

/**
 * The term and its ancestors, nearest first, up to its root (parent 0, itself, or not stored). In a
 * parent cycle (a → b → a) the member with the smallest id is taken as the root, whichever member the
 * walk started from, so the members' paths nest like any tree's and every member is listed once.
 */
function ancestry(rows: Map<number, Row>, id: number): Row[] {
  const chain: Row[] = []
  const at = new Map<number, number>()
  for (let r = rows.get(id); r && chain.length < MAX_DEPTH; r = r.parent === r.id ? undefined : rows.get(r.parent)) {
    const repeat = at.get(r.id)
    if (repeat !== undefined) {
      const root = chain.slice(repeat).reduce((min, l) => (l.id < min.id ? l : min))
      return chain.slice(0, at.get(root.id)! + 1)
    }
    at.set(r.id, chain.length)
    chain.push(r)
  }
  return chain
}

// Single-row statements, prepared once: a batch may run a thousand of them (they join its transaction,
// which holds the connection).
const key = and(
  eq(contentTaxonomy.integrationId, sql.placeholder('integration')),
  eq(contentTaxonomy.taxonomy, sql.placeholder('taxonomy')),
  eq(contentTaxonomy.externalId, sql.placeholder('id')),
)
const readPath = (db: Db) =>
  prepared(db, 'tree.read', (d) =>
    d.select({ path: contentTaxonomy.treePath, depth: contentTaxonomy.depth }).from(contentTaxonomy).where(key).prepare(),
  )
const writePath = (db: Db) =>
  prepared(db, 'tree.write', (d) =>
    d
      .update(contentTaxonomy)
      .set({ treePath: sql`${sql.placeholder('path')}`, depth: sql`${sql.placeholder('depth')}` })
      .where(key)
      .prepare(),
  )
/** Moves every path under `old` (the term's own excluded) to the same place under `path`. */
const moveSubtree = (db: Db) =>
  prepared(db, 'tree.move', (d) =>
    d
      .update(contentTaxonomy)
      .set({
        treePath: sql`${sql.placeholder('path')} || substr(${contentTaxonomy.treePath}, length(${sql.placeholder('old')}) + 1)`,
        depth: sql`${contentTaxonomy.depth} + ${sql.placeholder('shift')}`,
      })
      .where(
        and(
          eq(contentTaxonomy.integrationId, sql.placeholder('integration')),
          eq(contentTaxonomy.taxonomy, sql.placeholder('taxonomy')),
          ne(contentTaxonomy.externalId, sql.placeholder('id')),
          gt(contentTaxonomy.treePath, sql.placeholder('old')),
          lt(contentTaxonomy.treePath, sql.placeholder('below')),
        ),
      )
      .prepare(),
  )

/**
 * Recomputes the path of each listed term (written by a batch, or a detached child) from its ancestors'
 * names, and moves each changed term's subtree with it. A term's target path depends only on names and
 * parents, never on other stored paths, so the order of `ids` does not matter. Runs inside the batch's
 * transaction, its prepared statements on `tx` with it.
 */
export async function refreshTreePaths(tx: Tx, integrationId: number, taxonomy: string, ids: number[]): Promise<void> {
  if (!ids.length) return
  // The listed terms and every ancestor, each once (UNION, so a cycle or a shared ancestor ends the walk).
  const rows = await allRows<Row>(
    tx,
    sql`
    with recursive up(id, name, parent, path, depth) as (
      select external_id, name, parent_external_id, tree_path, depth from content_taxonomy
      where integration_id = ${integrationId} and taxonomy = ${taxonomy}
        and external_id in ${idList(tx.engine, ids)}
      union
      select p.external_id, p.name, p.parent_external_id, p.tree_path, p.depth
      from up join content_taxonomy p
        on p.integration_id = ${integrationId} and p.taxonomy = ${taxonomy} and p.external_id = up.parent
      where up.parent != 0 and up.parent != up.id
    )
    select id, name, parent, path, depth from up`,
  )
  const byId = new Map(rows.map((r) => [r.id, r]))
  const keyOf = { integration: integrationId, taxonomy }
  const moved: { id: number; path: string; depth: number }[] = []
  for (const id of new Set(ids)) {
    const self = byId.get(id)
    if (!self) continue
    const chain = ancestry(byId, id)
    const path = chain
      .map((r) => segment(r.name, r.id))
      .reverse()
      .join('')
    const depth = chain.length - 1
    // A new term has no subtree to move (its waiting children are in `ids` too) and no path that a
    // move below could cover: set it now.
    if (self.path === '') await writePath(tx).execute({ ...keyOf, id, path, depth })
    else moved.push({ id, path, depth })
  }
  for (const t of moved) {
    // Read now, not from the walk above: moving an ancestor earlier in this loop may have moved it already.
    const now = (await readPath(tx).execute({ ...keyOf, id: t.id }))[0]!
    if (now.path === t.path && now.depth === t.depth) continue
    await writePath(tx).execute({ ...keyOf, ...t })
    await moveSubtree(tx).execute({ ...keyOf, id: t.id, path: t.path, old: now.path, below: now.path + TOP, shift: t.depth - now.depth })
  }
}

/**
 * Children of `parents` whose stored path is not under their parent's: waiting for a parent that just
 * arrived, left by a deleted one, or cut from a cycle that may have just been broken. Read before
 * refreshTreePaths runs; children already under their parent's path move with it.
 */
export async function detachedChildren(tx: Tx, integrationId: number, taxonomy: string, parents: number[]): Promise<number[]> {
  if (!parents.length) return []
  const rows = await allRows<{ id: number }>(
    tx,
    sql`
      select c.external_id as id from content_taxonomy c
      left join content_taxonomy p
        on p.integration_id = c.integration_id and p.taxonomy = c.taxonomy and p.external_id = c.parent_external_id
      where c.integration_id = ${integrationId} and c.taxonomy = ${taxonomy} and c.parent_external_id != c.external_id
        and c.parent_external_id in ${idList(tx.engine, parents)}
        and (p.id is null or p.tree_path = '' or not (c.tree_path > p.tree_path and c.tree_path < p.tree_path || ${TOP}))`,
  )
  return rows.map((r) => r.id)
}
