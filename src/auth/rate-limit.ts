// Login throttling: failed attempts counted per client address and per email in a sliding window.
export type RateLimiter = {
  /** Seconds to wait if any of the keys is over its limit, else 0. */
  retryAfter(keys: string[]): number
  fail(keys: string[]): void
  reset(key: string): void
}

type Rule = { prefix: string; max: number }

/** In-process limiter: the server is one process, so memory is the right store. */
export function createRateLimiter(
  windowMs = 15 * 60_000,
  rules: Rule[] = [
    { prefix: 'ip:', max: 30 },
    { prefix: 'email:', max: 8 },
  ],
  now = () => Date.now(),
): RateLimiter {
  const hits = new Map<string, number[]>()
  const maxFor = (key: string) => rules.find((r) => key.startsWith(r.prefix))?.max ?? 10
  const recent = (key: string) => {
    const t = now()
    const list = (hits.get(key) ?? []).filter((at) => t - at < windowMs)
    if (list.length) hits.set(key, list)
    else hits.delete(key)
    return list
  }
  return {
    retryAfter(keys) {
      let wait = 0
      for (const key of keys) {
        const list = recent(key)
        const max = maxFor(key)
        if (list.length >= max) wait = Math.max(wait, Math.ceil((list[list.length - max]! + windowMs - now()) / 1000))
      }
      return wait
    },
    fail(keys) {
      for (const key of keys) hits.set(key, [...recent(key), now()])
      if (hits.size > 100_000) hits.clear() // bound memory under a spray of addresses
    },
    reset(key) {
      hits.delete(key)
    },
  }
}
