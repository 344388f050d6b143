// Login throttling: attempts counted per client address and per email in a sliding window, in the database
// (login_attempts), because every node may answer any request: attempts on one node count on all of them.
import { isIPv4, isIPv6 } from 'node:net'
import { and, eq, inArray, lt } from 'drizzle-orm'
import { withTx, type Db } from '../db/client'
import { loginAttempts } from '../db/schema'

export type RateLimiter = {
  /**
   * Counts an attempt on every key, before the slow password check, so parallel requests cannot all
   * pass the check before any failure is recorded. Answers 0 when the attempt may go ahead, else the
   * seconds to wait (and then nothing is counted, so a blocked client does not extend its own lockout).
   */
  attempt(db: Db, keys: string[]): Promise<number>
  /** Takes back one attempt from each key (a successful login is not held against its address). */
  refund(db: Db, keys: string[]): Promise<void>
  /** Forgets a key altogether (an email whose owner just signed in). */
  reset(db: Db, key: string): Promise<void>
}

type Rule = { prefix: string; max: number }
export type RateLimiterOptions = { windowMs?: number; rules?: Rule[]; now?: () => number }

/** Rows of keys whose newest attempt left the window, deleted per attempt: more than an attempt can add (2). */
const PRUNE_BATCH = 50

/**
 * A key's row holds its attempts inside the window (at most the key's limit, oldest first). Reading and writing
 * a key happen in one transaction holding `login:<key>` (on PostgreSQL an advisory lock, so parallel requests on
 * any node take turns per key; SQLite's IMMEDIATE transactions already do). Rows that left the window are pruned a
 * batch at a time by later attempts, so the table holds about one window's worth of keys, whoever floods it.
 */
export function createRateLimiter(o: RateLimiterOptions = {}): RateLimiter {
  const windowMs = o.windowMs ?? 15 * 60_000
  const rules = o.rules ?? [
    { prefix: 'ip:', max: 30 },
    { prefix: 'email:', max: 8 },
  ]
  const now = o.now ?? (() => Date.now())
  const maxFor = (key: string) => rules.find((r) => key.startsWith(r.prefix))?.max ?? 10

  /** The keys' attempts still inside the window at `t`, by key. */
  const recent = async (tx: Db, keys: string[], t: number): Promise<Map<string, number[]>> => {
    const rows = await tx.select().from(loginAttempts).where(inArray(loginAttempts.key, keys)).all()
    return new Map(rows.map((r) => [r.key, parseHits(r.hitsJson).filter((at) => t - at < windowMs)]))
  }

  const store = async (tx: Db, key: string, hits: number[]) => {
    if (!hits.length) return void (await tx.delete(loginAttempts).where(eq(loginAttempts.key, key)).run())
    const row = { hitsJson: JSON.stringify(hits), lastAt: hits.at(-1)! }
    await tx
      .insert(loginAttempts)
      .values({ key, ...row })
      .onConflictDoUpdate({ target: loginAttempts.key, set: row })
      .run()
  }

  return {
    async attempt(db, keys) {
      const t = now()
      const wait = await lockingKeys(db, keys, async (tx) => {
        const lists = await recent(tx, keys, t)
        let wait = 0
        for (const key of keys) {
          const list = lists.get(key) ?? []
          const max = maxFor(key)
          if (list.length >= max) wait = Math.max(wait, Math.ceil((list[list.length - max]! + windowMs - t) / 1000))
        }
        if (wait > 0) return wait
        for (const key of keys) {
          const list = lists.get(key) ?? []
          // Only the newest `max` attempts ever matter, so no row holds more than that.
          await store(tx, key, [...list.slice(Math.max(0, list.length - maxFor(key) + 1)), t])
        }
        return 0
      })
      await prune(db, t - windowMs)
      return wait
    },
    async refund(db, keys) {
      const t = now()
      await lockingKeys(db, keys, async (tx) => {
        const lists = await recent(tx, keys, t)
        for (const key of keys) if (lists.has(key)) await store(tx, key, lists.get(key)!.slice(0, -1))
      })
    },
    async reset(db, key) {
      // Under the key's lock like every other change to it: an attempt that read the row before a bare delete
      // would write it back afterwards with the deleted attempts in it (seen on PostgreSQL as a 429 for a user
      // whose every login had succeeded).
      await lockingKeys(db, [key], async (tx) => void (await tx.delete(loginAttempts).where(eq(loginAttempts.key, key)).run()))
    },
  }
}

/**
 * Runs `body` in one transaction holding `login:<key>` for every key, taken in sorted order (two requests naming
 * the same keys never wait on each other crosswise). The locks after the first come from nested transactions,
 * which join the outer one; PostgreSQL keeps a transaction's advisory locks until the outer transaction ends.
 */
function lockingKeys<T>(db: Db, keys: string[], body: (tx: Db) => Promise<T>): Promise<T> {
  const sorted = [...new Set(keys)].sort()
  const nest = (tx: Db, i: number): Promise<T> =>
    i === sorted.length ? body(tx) : withTx(tx, (inner) => nest(inner, i + 1), { lock: `login:${sorted[i]}` })
  return nest(db, 0)
}

/** Deletes a bounded batch of rows whose newest attempt is older than `cutoff` (they no longer limit anyone). */
async function prune(db: Db, cutoff: number): Promise<void> {
  const stale = db.select({ key: loginAttempts.key }).from(loginAttempts).where(lt(loginAttempts.lastAt, cutoff)).limit(PRUNE_BATCH)
  // The outer condition again: a row an attempt refreshed meanwhile is kept.
  await db
    .delete(loginAttempts)
    .where(and(inArray(loginAttempts.key, stale), lt(loginAttempts.lastAt, cutoff)))
    .run()
}

/** A stored hits_json as a list of times; anything unreadable counts as no attempts. */
function parseHits(json: string): number[] {
  try {
    const v: unknown = JSON.parse(json)
    return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)) : []
  } catch {
    return []
  }
}

/**
 * The limiter key of a client address. An IPv6 client usually holds a whole /64 and can pick any address
 * in it, so IPv6 is keyed by its first four groups; IPv4 (also IPv4-mapped IPv6) by the address.
 */
export function addressKey(address: string): string {
  let a = address.trim().toLowerCase()
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a)
  if (bracketed) a = bracketed[1]!
  else if (/^[\d.]+:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(':'))
  a = a.replace(/%.*$/, '') // zone id
  const mapped = /^(?:0*:)*:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a)
  if (mapped && isIPv4(mapped[1]!)) return `ip:${mapped[1]}`
  if (isIPv6(a)) return `ip:${prefix64(a)}::/64`
  return `ip:${a}`
}

/** The first four 16-bit groups of an IPv6 address, without leading zeros. */
function prefix64(a: string): string {
  const [head, tail] = a.includes('::') ? (a.split('::') as [string, string]) : [a, undefined]
  const left = head ? head.split(':') : []
  const right = tail === undefined ? [] : tail ? tail.split(':') : []
  // An embedded IPv4 tail counts as two groups.
  const width = (groups: string[]) => groups.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0)
  const groups = tail === undefined ? left : [...left, ...Array(8 - width(left) - width(right)).fill('0'), ...right]
  return groups
    .slice(0, 4)
    .map((g) => (g.includes('.') ? '0' : String(parseInt(g, 16).toString(16))))
    .join(':')
}
