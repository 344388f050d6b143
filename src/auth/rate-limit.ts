// Login throttling: attempts counted per client address and per email in a sliding window, in a bounded
// in-process store (the server is one process, so memory is the right place).
import { isIPv4, isIPv6 } from 'node:net'

export type RateLimiter = {
  /**
   * Counts an attempt on every key, before the slow password check, so parallel requests cannot all
   * pass the check before any failure is recorded. Answers 0 when the attempt may go ahead, else the
   * seconds to wait (and then nothing is counted, so a blocked client does not extend its own lockout).
   */
  attempt(keys: string[]): number
  /** Takes back one attempt from each key (a successful login is not held against its address). */
  refund(keys: string[]): void
  /** Forgets a key altogether (an email whose owner just signed in). */
  reset(key: string): void
  /** Keys held; for tests and monitoring. */
  size(): number
}

type Rule = { prefix: string; max: number }
export type RateLimiterOptions = { windowMs?: number; rules?: Rule[]; now?: () => number; maxKeys?: number }

/**
 * An LRU with a TTL: a key's entry lives while it has attempts inside the window, and when the store is full
 * the least recently used entry goes — preferring expired or unlocked ones, so a flood of fresh keys (which an
 * attacker controls) cannot push out the locked email it is trying to unlock. Never cleared wholesale.
 */
export function createRateLimiter(o: RateLimiterOptions = {}): RateLimiter {
  const windowMs = o.windowMs ?? 15 * 60_000
  const rules = o.rules ?? [
    { prefix: 'ip:', max: 30 },
    { prefix: 'email:', max: 8 },
  ]
  const now = o.now ?? (() => Date.now())
  const maxKeys = o.maxKeys ?? 100_000
  // Map iteration order is insertion order: re-inserting on use keeps the least recently used first.
  const hits = new Map<string, number[]>()
  const maxFor = (key: string) => rules.find((r) => key.startsWith(r.prefix))?.max ?? 10

  /** The key's attempts still inside the window, moved to the most recently used end. */
  const recent = (key: string, t: number): number[] => {
    const list = hits.get(key)
    if (!list) return []
    hits.delete(key)
    const live = list.filter((at) => t - at < windowMs)
    if (live.length) hits.set(key, live)
    return live
  }

  const evictOne = (t: number) => {
    // Look at a bounded number of the oldest entries; locked ones are moved to the back and kept.
    for (let i = 0; i < 64; i++) {
      const first = hits.entries().next().value
      if (!first) return
      const [key, list] = first
      hits.delete(key)
      const live = list.filter((at) => t - at < windowMs)
      if (live.length < maxFor(key)) return
      hits.set(key, live)
    }
    const oldest = hits.keys().next().value
    if (oldest !== undefined) hits.delete(oldest)
  }

  /** TTL: drops expired entries from the least recently used end; bounded work per call. */
  const sweep = (t: number) => {
    for (let i = 0; i < 16; i++) {
      const first = hits.entries().next().value
      if (!first || t - first[1].at(-1)! < windowMs) return
      hits.delete(first[0])
    }
  }

  return {
    attempt(keys) {
      const t = now()
      sweep(t)
      let wait = 0
      const lists = keys.map((key) => {
        const list = recent(key, t)
        const max = maxFor(key)
        if (list.length >= max) wait = Math.max(wait, Math.ceil((list[list.length - max]! + windowMs - t) / 1000))
        return list
      })
      if (wait > 0) return wait
      keys.forEach((key, i) => {
        if (!hits.has(key)) while (hits.size >= maxKeys) evictOne(t)
        const list = lists[i]!
        // Only the newest `max` attempts ever matter, so no key holds more than that.
        hits.set(key, [...list.slice(Math.max(0, list.length - maxFor(key) + 1)), t])
      })
      return 0
    },
    refund(keys) {
      const t = now()
      for (const key of keys) {
        const list = recent(key, t)
        if (list.length > 1) hits.set(key, list.slice(0, -1))
        else hits.delete(key)
      }
    },
    reset(key) {
      hits.delete(key)
    },
    size: () => hits.size,
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
