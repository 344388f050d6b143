// The login limiter itself, over a real database (either engine): counted before the slow check, one row per key
// that a flood cannot push out, stale rows pruned a batch at a time, exact under parallel attempts through one or
// two connections, and client addresses grouped the way an attacker gets them (an IPv6 /64 is one client).
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { eq, like } from 'drizzle-orm'
import { addressKey, createRateLimiter } from '../../src/auth/rate-limit'
import { dbTarget } from '../../src/config'
import { closeDb, countRows, openDb, type Db } from '../../src/db/client'
import { loginAttempts } from '../../src/db/schema'
import { startServer, TEST_ENGINE, type TestServer } from '../helpers/server'

let s: TestServer
let db: Db
beforeAll(async () => {
  s = await startServer()
  db = s.db
}, 30_000)
afterAll(() => s.stop(), 30_000)

const hitsOf = async (key: string) =>
  JSON.parse((await db.select().from(loginAttempts).where(eq(loginAttempts.key, key)).get())?.hitsJson ?? '[]') as number[]

describe(`createRateLimiter on ${TEST_ENGINE}`, () => {
  it('refuses the 9th attempt on one email without counting it, and says how long to wait', async () => {
    let t = 1_000_000
    const limiter = createRateLimiter({ now: () => t })
    for (let i = 0; i < 8; i++) expect(await limiter.attempt(db, ['email:a@example.com'])).toBe(0)
    expect(await limiter.attempt(db, ['email:a@example.com'])).toBe(15 * 60)
    t += 60_000
    expect(await limiter.attempt(db, ['email:a@example.com'])).toBe(14 * 60)
    expect(await hitsOf('email:a@example.com')).toHaveLength(8) // the refused ones were not counted
    t += 14 * 60_000
    expect(await limiter.attempt(db, ['email:a@example.com'])).toBe(0)
  })

  it('counts nothing on any key when one of them refuses', async () => {
    const limiter = createRateLimiter()
    for (let i = 0; i < 8; i++) await limiter.attempt(db, ['email:locked@example.com'])
    expect(await limiter.attempt(db, ['ip:192.0.2.50', 'email:locked@example.com'])).toBeGreaterThan(0)
    expect(await hitsOf('ip:192.0.2.50')).toEqual([])
  })

  it('takes back a refunded attempt and forgets a reset key', async () => {
    const limiter = createRateLimiter()
    for (let i = 0; i < 8; i++) await limiter.attempt(db, ['ip:1.2.3.4'])
    for (let i = 0; i < 40; i++) {
      expect(await limiter.attempt(db, ['ip:1.2.3.4', 'email:b@example.com'])).toBe(0)
      await limiter.refund(db, ['ip:1.2.3.4'])
      await limiter.reset(db, 'email:b@example.com')
    }
    expect(await hitsOf('ip:1.2.3.4')).toHaveLength(8)
    expect(await countRows(db, loginAttempts, eq(loginAttempts.key, 'email:b@example.com'))).toBe(0)
  })

  it('keeps at most the key’s limit of attempts in its row while the window slides', async () => {
    let t = 5_000_000
    const limiter = createRateLimiter({ now: () => t })
    let admitted = 0
    for (let i = 0; i < 40; i++, t += 60_000) if ((await limiter.attempt(db, ['email:slide@example.com'])) === 0) admitted++
    expect(admitted).toBeGreaterThan(8)
    expect((await hitsOf('email:slide@example.com')).length).toBeLessThanOrEqual(8)
  })

  it('still refuses a locked email after a flood of new keys', async () => {
    const limiter = createRateLimiter()
    for (let i = 0; i < 8; i++) await limiter.attempt(db, ['email:victim@example.com'])
    for (let i = 0; i < 300; i++) await limiter.attempt(db, [`ip:10.1.${i >> 8}.${i & 255}`, `email:spray${i}@example.com`])
    expect(await limiter.attempt(db, ['email:victim@example.com'])).toBeGreaterThan(0)
  }, 60_000)

  it('prunes rows whose window has passed, a bounded batch per attempt', async () => {
    let t = 10_000_000
    const limiter = createRateLimiter({ now: () => t })
    const stale = like(loginAttempts.key, 'ip:10.9.%')
    for (let i = 0; i < 120; i++) await limiter.attempt(db, [`ip:10.9.0.${i}`])
    t += 16 * 60_000
    await limiter.attempt(db, ['ip:10.9.1.1'])
    const left = await countRows(db, loginAttempts, stale)
    expect(left).toBeGreaterThan(1) // not every stale row in one go
    expect(left).toBeLessThan(121)
    for (let i = 0; i < 3; i++) await limiter.attempt(db, ['ip:10.9.1.1'])
    expect(await countRows(db, loginAttempts, stale)).toBe(1)
  })

  it('admits exactly the limit under parallel attempts (on PostgreSQL through two connection pools)', async () => {
    // Two SQLite connections interleaving transactions in ONE task would deadlock (the second's BEGIN IMMEDIATE blocks
    // the thread the first needs to finish); nodes on one SQLite file are processes, or HTTP servers whose requests
    // come apart (test/auth/shared-limit.test.ts).
    const other = TEST_ENGINE === 'postgres' ? openDb(dbTarget(s.ctx.config)) : db
    try {
      const limiter = createRateLimiter()
      // One address, many emails: every attempt needs the address's row and its email's, locked in the same order.
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) => limiter.attempt(i % 2 ? db : other, ['ip:198.51.100.9', `email:p${i % 5}@example.com`])),
      )
      expect(results.filter((w) => w === 0)).toHaveLength(30)
      expect(await hitsOf('ip:198.51.100.9')).toHaveLength(30)
      const burst = await Promise.all(
        Array.from({ length: 30 }, (_, i) => limiter.attempt(i % 2 ? db : other, ['email:burst@example.com'])),
      )
      expect(burst.filter((w) => w === 0)).toHaveLength(8)
    } finally {
      if (other !== db) await closeDb(other)
    }
  }, 60_000)

  it('never refuses a user whose every login succeeds, however many logins run in parallel', async () => {
    // What a successful login does (src/auth/service.ts): count the attempt, check the password, take the attempt
    // back from the address and forget the email's. Eight at a time, as many users behind one office address do.
    const other = TEST_ENGINE === 'postgres' ? openDb(dbTarget(s.ctx.config)) : db
    try {
      const limiter = createRateLimiter()
      const keys = ['ip:203.0.113.77', 'email:busy@example.com']
      const refused: number[] = []
      const worker = async (w: number) => {
        const conn = w % 2 ? db : other
        for (let i = 0; i < 25; i++) {
          const wait = await limiter.attempt(conn, keys)
          if (wait > 0) refused.push(wait)
          await Bun.sleep(1) // the password check
          await limiter.refund(conn, [keys[0]!])
          await limiter.reset(conn, keys[1]!)
        }
      }
      await Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)))
      expect(refused).toEqual([])
      expect(await hitsOf('email:busy@example.com')).toEqual([])
    } finally {
      if (other !== db) await closeDb(other)
    }
  }, 60_000)
})

describe('addressKey', () => {
  it.each([
    ['203.0.113.7', 'ip:203.0.113.7'],
    ['::ffff:203.0.113.7', 'ip:203.0.113.7'],
    ['2001:db8:aaaa:1:2:3:4:5', 'ip:2001:db8:aaaa:1::/64'],
    ['2001:DB8:AAAA:1::5', 'ip:2001:db8:aaaa:1::/64'],
    ['2001:db8::1', 'ip:2001:db8:0:0::/64'],
    ['[2001:db8:aaaa:1::5]:443', 'ip:2001:db8:aaaa:1::/64'],
    ['203.0.113.7:5000', 'ip:203.0.113.7'],
    ['::1', 'ip:0:0:0:0::/64'],
  ])('keys %s as %s', (address, key) => {
    expect(addressKey(address)).toBe(key)
  })
})
