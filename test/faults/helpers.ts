// Shared pieces of the fault tests: a seeded PRNG (so a failure replays from the seed it prints), batch
// bodies whose every row carries its batch's marker, and read-only checks of the SQLite file itself.
import { Database } from 'bun:sqlite'
import { join } from 'node:path'

/** A small deterministic PRNG (mulberry32); `seed` is printed by every test that uses it. */
export function prng(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The seed a test runs with: FAULT_SEED=<n> replays a failure, else a fresh one. */
export const faultSeed = () => Number(process.env.FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31))

export const BUSY = /SQLITE_BUSY|database is locked/i

/** A structure push whose every label is `marker`, so a half-applied push would show two markers. */
export const markedStructure = (marker: string, n: number) => ({
  post_types: {
    post: { label: marker, count: n, enabled: true, fetch_limit: 1_000_000 },
    page: { label: marker, count: n, enabled: true, fetch_limit: 1_000_000 },
  },
  taxonomies: { category: { label: marker, count: n, enabled: true, fetch_limit: 1_000_000 } },
  timestamp: new Date(Date.UTC(2025, 0, 1) + n * 1000).toISOString(),
})

/** One content item titled `<marker>-<id>`, with a body so a batch takes real time to write. */
export const markedItem = (marker: string, id: number, postType = 'post') => ({
  external_id: id,
  post_type: postType,
  title: `${marker}-${id}`,
  slug: `p-${id}`,
  status: 'publish',
  url: `https://blog.example.com/p-${id}/`,
  modified_at: '2025-11-22T10:00:00Z',
  terms: { category: [1] },
  content: `<!-- wp:paragraph --><p>${marker} ${id} ${'lorem ipsum '.repeat(40)}</p><!-- /wp:paragraph -->`,
})

export const markedTerm = (marker: string, id: number) => ({
  external_id: id,
  taxonomy: 'category',
  name: `${marker}-${id}`,
  slug: `t-${id}`,
})

/** Opens the data dir's database read-only (the server is stopped or killed), runs `fn`, closes it. */
export function withDbFile<T>(dataDir: string, fn: (db: Database) => T): T {
  const db = new Database(join(dataDir, 'igny8.db'), { readonly: true })
  try {
    return fn(db)
  } finally {
    db.close()
  }
}

/** PRAGMA integrity_check's answer ("ok" when the file is sound). */
export const integrity = (db: Database) =>
  (db.query('PRAGMA integrity_check').all() as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ')

/** Kept counters that differ from a recount of the rows, for every integration; [] when they all agree. */
export function counterMismatches(db: Database): string[] {
  const kept = db.query('select integration_id i, kind, slug, synced_count n from type_counters').all() as {
    i: number
    kind: string
    slug: string
    n: number
  }[]
  const recount = new Map<string, number>()
  for (const r of db.query('select integration_id i, post_type s, count(*) n from content group by 1, 2').all() as any[])
    recount.set(`${r.i}:post_type:${r.s}`, r.n)
  for (const r of db.query('select integration_id i, taxonomy s, count(*) n from content_taxonomy group by 1, 2').all() as any[])
    recount.set(`${r.i}:taxonomy:${r.s}`, r.n)
  const out: string[] = []
  const seen = new Set<string>()
  for (const k of kept) {
    const key = `${k.i}:${k.kind}:${k.slug}`
    seen.add(key)
    if ((recount.get(key) ?? 0) !== k.n) out.push(`${key} kept ${k.n}, recount ${recount.get(key) ?? 0}`)
  }
  for (const [key, n] of recount) if (!seen.has(key) && n !== 0) out.push(`${key} kept none, recount ${n}`)
  return out
}
