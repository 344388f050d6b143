// collectWhenIdle (src/http/idle-collect.ts): one full collection once requests stop coming, never while one is
// handled, and not again until requests came in since.
import { describe, expect, it } from 'bun:test'
import { collectWhenIdle } from '../../src/http/idle-collect'
import { inFlightRequests } from '../../src/http/in-flight'

const EVERY_MS = 20
const checks = (n: number) => Bun.sleep(EVERY_MS * n + EVERY_MS / 2)
/** A request that begins and ends at once. */
function request(inFlight: ReturnType<typeof inFlightRequests>) {
  const r = new Request('http://localhost/')
  inFlight.begin(r)
  inFlight.end(r)
}
/** Until `count()` is `n` (timers run late on a busy host), at most 2 s; then that count. */
async function until(count: () => number, n: number) {
  for (const end = Date.now() + 2000; count() < n && Date.now() < end;) await Bun.sleep(5)
  return count()
}

describe('collectWhenIdle', () => {
  it('collects once after a burst of requests, and not while idle before or after it', async () => {
    const inFlight = inFlightRequests()
    let collections = 0
    const collector = collectWhenIdle(inFlight, EVERY_MS, () => collections++)
    try {
      await checks(3)
      expect(collections).toBe(0) // idle since start: nothing to give back
      for (let i = 0; i < 5; i++) request(inFlight)
      expect(await until(() => collections, 1)).toBe(1)
      await checks(4)
      expect(collections).toBe(1)
    } finally {
      collector.stop()
    }
  })

  it('waits while a request is being handled, however long, and collects once it ends', async () => {
    const inFlight = inFlightRequests()
    let collections = 0
    const collector = collectWhenIdle(inFlight, EVERY_MS, () => collections++)
    try {
      const slow = new Request('http://localhost/slow')
      inFlight.begin(slow)
      expect([inFlight.started(), inFlight.handling()]).toEqual([1, 1])
      await checks(5)
      expect(collections).toBe(0)
      inFlight.end(slow)
      expect(inFlight.handling()).toBe(0)
      expect(await until(() => collections, 1)).toBe(1)
    } finally {
      collector.stop()
    }
  })

  it('collects again only after new requests, and not at all once stopped', async () => {
    const inFlight = inFlightRequests()
    let collections = 0
    const collector = collectWhenIdle(inFlight, EVERY_MS, () => collections++)
    const burst = () => request(inFlight)
    burst()
    expect(await until(() => collections, 1)).toBe(1)
    burst()
    expect(await until(() => collections, 2)).toBe(2)
    collector.stop()
    burst()
    await checks(4)
    expect(collections).toBe(2)
  })
})
