import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { startServer, TEST_ENGINE, type TestServer } from '../helpers/server'
import { sql } from 'drizzle-orm'
import { runSql } from '../../src/db/client'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
}, 30_000)
afterAll(() => s.stop(), 30_000)

describe('GET /api/v1/health/', () => {
  it('answers ok with version, db and uptime, without auth', async () => {
    const res = await s.call('GET', '/api/v1/health/')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      success: true,
      data: { status: 'ok', version: expect.stringMatching(/^\d+\.\d+\.\d+/), db: 'ok', engine: TEST_ENGINE, uptime_s: expect.any(Number) },
    })
  })

  it('answers 503 with db "error" when the database cannot be read', async () => {
    await runSql(s.db, sql.raw('ALTER TABLE users RENAME TO users_hidden'))
    try {
      const res = await s.call('GET', '/api/v1/health/')
      expect(res.status).toBe(503)
      expect(res.body.data.db).toBe('error')
      expect(res.text).not.toContain('users')
    } finally {
      await runSql(s.db, sql.raw('ALTER TABLE users_hidden RENAME TO users'))
    }
  })
})
