// coalesced (src/db/coalesce.ts): requests for one key that arrive while a batch runs are handled together in the
// next batch, in their order, each answered with its own outcome.
import { describe, expect, it } from 'bun:test'
import type { Db } from '../../src/db/client'
import { coalesced, type Outcome } from '../../src/db/coalesce'

const newDb = () => ({}) as Db

/** A batch runner whose batches wait until released; records what each batch got. */
function gatedRunner() {
  const batches: number[][] = []
  const gates: (() => void)[] = []
  const run = async (requests: number[]): Promise<Outcome<number>[]> => {
    batches.push(requests)
    await new Promise<void>((r) => gates.push(r))
    return requests.map((n) => (n < 0 ? { ok: false, error: new Error(`refused ${n}`) } : { ok: true, value: n * 10 }))
  }
  const releaseNext = async () => {
    while (!gates.length) await Bun.sleep(1)
    gates.shift()!()
  }
  return { run, batches, releaseNext }
}

describe('coalesced', () => {
  it('runs the first request at once, alone, and the ones that queued meanwhile as one batch, in order', async () => {
    const db = newDb()
    const r = gatedRunner()
    const first = coalesced(db, 'k', 1, r.run)
    await Bun.sleep(1)
    expect(r.batches).toEqual([[1]])
    const rest = [2, 3, 4, 5].map((n) => coalesced(db, 'k', n, r.run))
    await r.releaseNext()
    expect(await first).toBe(10)
    await r.releaseNext()
    expect(await Promise.all(rest)).toEqual([20, 30, 40, 50])
    expect(r.batches).toEqual([[1], [2, 3, 4, 5]])
  })

  it('with gatherTurn, runs the requests asked for in one turn as the first batch, and queues the rest as before', async () => {
    const db = newDb()
    const r = gatedRunner()
    const first = [1, 2, 3].map((n) => coalesced(db, 'k', n, r.run, { gatherTurn: true }))
    expect(r.batches).toEqual([]) // nothing runs before the turn ends
    await new Promise((resolve) => setImmediate(resolve))
    expect(r.batches).toEqual([[1, 2, 3]])
    const rest = [4, 5].map((n) => coalesced(db, 'k', n, r.run, { gatherTurn: true }))
    await r.releaseNext()
    expect(await Promise.all(first)).toEqual([10, 20, 30])
    await r.releaseNext()
    expect(await Promise.all(rest)).toEqual([40, 50])
    expect(r.batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ])
  })

  it('answers each request with its own outcome', async () => {
    const db = newDb()
    const r = gatedRunner()
    const first = coalesced(db, 'k', 1, r.run)
    const rest = [2, -3, 4].map((n) => coalesced(db, 'k', n, r.run))
    await r.releaseNext()
    await first
    await r.releaseNext()
    const outcomes = await Promise.allSettled(rest)
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : String(o.reason)))).toEqual([20, 'Error: refused -3', 40])
  })

  it('fails every request of a batch whose run throws, and goes on with the next batch', async () => {
    const db = newDb()
    let calls = 0
    const batches: number[][] = []
    const run = async (requests: number[]): Promise<Outcome<number>[]> => {
      batches.push(requests)
      calls++
      await Bun.sleep(5)
      if (calls === 2) throw new Error('database gone')
      return requests.map((n) => ({ ok: true, value: n }))
    }
    const first = coalesced(db, 'k', 1, run)
    const second = [2, 3].map((n) => coalesced(db, 'k', n, run))
    await first
    const third = coalesced(db, 'k', 4, run)
    expect((await Promise.allSettled(second)).map((o) => o.status)).toEqual(['rejected', 'rejected'])
    expect(await third).toBe(4)
    expect(batches).toEqual([[1], [2, 3], [4]])
  })

  it('keeps keys and databases apart: their batches run side by side', async () => {
    const [a, b] = [newDb(), newDb()]
    const r = gatedRunner()
    const answers = [coalesced(a, 'x', 1, r.run), coalesced(a, 'y', 2, r.run), coalesced(b, 'x', 3, r.run)]
    await Bun.sleep(1)
    expect(r.batches).toEqual([[1], [2], [3]])
    for (let i = 0; i < 3; i++) await r.releaseNext()
    expect(await Promise.all(answers)).toEqual([10, 20, 30])
  })

  it('caps a batch at 64 requests', async () => {
    const db = newDb()
    const r = gatedRunner()
    const all = Array.from({ length: 101 }, (_, i) => coalesced(db, 'k', i, r.run))
    for (let i = 0; i < 3; i++) await r.releaseNext()
    await Promise.all(all)
    expect(r.batches.map((b) => b.length)).toEqual([1, 64, 36])
  })

  it('starts afresh once a key is idle', async () => {
    const db = newDb()
    const batches: number[][] = []
    const run = async (requests: number[]) => (batches.push(requests), requests.map((n) => ({ ok: true as const, value: n })))
    expect(await coalesced(db, 'k', 1, run)).toBe(1)
    expect(await coalesced(db, 'k', 2, run)).toBe(2)
    expect(batches).toEqual([[1], [2]])
  })
})
