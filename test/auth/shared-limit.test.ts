// "Every node may answer any request": two app instances over ONE database (the same PostgreSQL database, or the
// same SQLite file) keep one login rate limit, so a client cannot multiply its attempts by the number of nodes.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { createApp, createContext } from '../../src/app'
import { passwordVerifications } from '../../src/auth/passwords'
import { dbTarget } from '../../src/config'
import { closeDb, openDb, type Db } from '../../src/db/client'
import { silentLogger } from '../../src/log'
import { startServer, TEST_ENGINE, type TestServer } from '../helpers/server'

let a: TestServer
let dbB: Db
let appB: Awaited<ReturnType<typeof createApp>>
let baseB = ''

beforeAll(async () => {
  a = await startServer()
  // Node B: its own connection (pool) to the database node A migrated, its own app and port.
  dbB = openDb(dbTarget(a.ctx.config))
  const app = (await createApp(createContext(dbB, a.ctx.config, silentLogger))).listen({ hostname: '127.0.0.1', port: 0 })
  appB = app
  baseB = `http://127.0.0.1:${app.server!.port}`
}, 30_000)
afterAll(async () => {
  await appB.stop(true)
  await closeDb(dbB)
  await a.stop()
}, 30_000)

const loginOn = async (node: 'A' | 'B', email: string, password: string) => {
  const res = await fetch(`${node === 'A' ? a.base : baseB}/api/v1/auth/login/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  })
  return { status: res.status, retryAfter: Number(res.headers.get('retry-after')) }
}

describe(`login rate limit shared by two nodes on one ${TEST_ENGINE} database`, () => {
  it('counts failures on node A against the same email on node B', async () => {
    const u = await a.user()
    for (let i = 0; i < 8; i++) expect((await loginOn('A', u.email, 'wrong-wrong')).status).toBe(401)
    const onB = await loginOn('B', u.email, 'wrong-wrong')
    expect(onB.status).toBe(429)
    expect(onB.retryAfter).toBeGreaterThan(0)
    expect((await loginOn('B', u.email, u.password)).status).toBe(429)
  })

  it('forgets the email’s failures on both nodes once its owner signs in on one of them', async () => {
    const u = await a.user()
    for (let i = 0; i < 7; i++) expect((await loginOn('A', u.email, 'wrong-wrong')).status).toBe(401)
    expect((await loginOn('B', u.email, u.password)).status).toBe(200)
    for (let i = 0; i < 8; i++) expect((await loginOn(i % 2 ? 'A' : 'B', u.email, 'wrong-wrong')).status).toBe(401)
    expect((await loginOn('A', u.email, 'wrong-wrong')).status).toBe(429)
  })

  it('verifies at most 8 passwords for a burst of 50 parallel attempts spread over both nodes', async () => {
    const u = await a.user()
    const before = passwordVerifications()
    const burst = await Promise.all(Array.from({ length: 50 }, (_, i) => loginOn(i % 2 ? 'A' : 'B', u.email, 'wrong-wrong')))
    const verified = passwordVerifications() - before
    expect(verified).toBeGreaterThan(0)
    expect(verified).toBeLessThanOrEqual(8)
    expect(burst.filter((r) => r.status === 401)).toHaveLength(verified)
    expect(burst.filter((r) => r.status === 429)).toHaveLength(50 - verified)
  })
})
