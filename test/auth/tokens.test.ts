import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { createHash } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import { runSql } from '../../src/db/client'
import { users } from '../../src/db/schema'
import { hashSecret, newApiKey, newRefreshToken } from '../../src/auth/tokens'
import { startServer, TEST_ENGINE, type TestServer } from '../helpers/server'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
}, 30_000)
afterAll(() => s.stop(), 30_000)

/** A real failure inside the database whenever a refresh token is written: a trigger, in each engine's dialect. */
const FAIL_REFRESH_INSERT =
  TEST_ENGINE === 'postgres'
    ? {
        create: [
          `create function fail_refresh_insert() returns trigger language plpgsql as $$ begin raise exception 'disk on fire'; end $$`,
          'create trigger fail_refresh_insert before insert on refresh_tokens for each row execute function fail_refresh_insert()',
        ],
        drop: ['drop trigger fail_refresh_insert on refresh_tokens', 'drop function fail_refresh_insert()'],
      }
    : {
        create: [`create trigger fail_refresh_insert before insert on refresh_tokens begin select raise(abort, 'disk on fire'); end`],
        drop: ['drop trigger fail_refresh_insert'],
      }

describe('POST /auth/refresh/', () => {
  it('answers a new access and a new refresh, and the old refresh stops working', async () => {
    const u = await s.user()
    const first = await s.call('POST', '/api/v1/auth/refresh/', { body: { refresh: u.refresh } })
    expect(first.status).toBe(200)
    expect(first.body.data.refresh).not.toBe(u.refresh)
    expect(first.body.data.access).toBeString()
    // Issued in the same second as the login's, it must still be a new token.
    expect(first.body.data.access).not.toBe(u.token)
    const me = await s.call('GET', '/api/v1/auth/me/', { token: first.body.data.access })
    expect(me.body.data.user.id).toBe(u.id)
    const again = await s.call('POST', '/api/v1/auth/refresh/', { body: { refresh: first.body.data.refresh } })
    expect(again.status).toBe(200)
  })

  it('revokes the whole family when a rotated refresh is reused', async () => {
    const u = await s.user()
    const rotated = await s.call('POST', '/api/v1/auth/refresh/', { body: { refresh: u.refresh } })
    const reuse = await s.call('POST', '/api/v1/auth/refresh/', { body: { refresh: u.refresh } })
    expect(reuse.status).toBe(401)
    expect(reuse.body.code).toBe('token_not_valid')
    // The legitimate-looking newest token of that family is dead too.
    const newest = await s.call('POST', '/api/v1/auth/refresh/', { body: { refresh: rotated.body.data.refresh } })
    expect(newest.status).toBe(401)
  })

  it('rotates in one transaction: a failure while storing the new token leaves the old one usable', async () => {
    const u = await s.user()
    // A real failure inside the database at the moment the new refresh token is written.
    for (const statement of FAIL_REFRESH_INSERT.create) await runSql(s.db, sql.raw(statement))
    try {
      const failed = await s.call('POST', '/api/v1/auth/refresh/', { body: { refresh: u.refresh } })
      expect(failed.status).toBe(500)
      expect(failed.text).not.toContain('disk on fire')
    } finally {
      for (const statement of FAIL_REFRESH_INSERT.drop) await runSql(s.db, sql.raw(statement))
    }
    // The retry is not mistaken for reuse of a rotated token (which would revoke the family).
    const retry = await s.call('POST', '/api/v1/auth/refresh/', { body: { refresh: u.refresh } })
    expect(retry.status).toBe(200)
    expect((await s.call('POST', '/api/v1/auth/refresh/', { body: { refresh: retry.body.data.refresh } })).status).toBe(200)
  })

  it('answers 401 for an unknown refresh token and 400 for a missing one', async () => {
    expect((await s.call('POST', '/api/v1/auth/refresh/', { body: { refresh: 'igny8_rt_nope' } })).status).toBe(401)
    const missing = await s.call('POST', '/api/v1/auth/refresh/', { body: {} })
    expect(missing.status).toBe(400)
    expect(missing.body.errors).toHaveProperty('refresh')
  })
})

describe('POST /auth/logout/', () => {
  it('revokes that refresh token and answers {}', async () => {
    const u = await s.user()
    const out = await s.call('POST', '/api/v1/auth/logout/', { body: { refresh: u.refresh } })
    expect(out.status).toBe(200)
    expect(out.body).toEqual({ success: true, data: {} })
    expect((await s.call('POST', '/api/v1/auth/refresh/', { body: { refresh: u.refresh } })).status).toBe(401)
  })
})

describe('GET /auth/me/', () => {
  it('answers the user for a JWT', async () => {
    const u = await s.user({ admin: true })
    const me = await s.call('GET', '/api/v1/auth/me/', { token: u.token })
    expect(me.status).toBe(200)
    expect(me.body.data).toEqual({ type: 'user', user: { id: u.id, email: u.email, name: '', is_admin: true } })
  })

  it('answers the bound site for an API key, and records when the key was last used', async () => {
    const u = await s.user()
    const site = await s.site(u.token, 'Key Site')
    const me = await s.call('GET', '/api/v1/auth/me/', { token: site.key })
    expect(me.status).toBe(200)
    expect(me.body.data.type).toBe('api_key')
    expect(me.body.data.site).toMatchObject({ id: site.siteId, name: 'Key Site', is_active: true })
    const keys = await s.call('GET', `/api/v1/system/sites/${site.siteId}/api-keys/`, { token: u.token })
    expect(Date.parse(keys.body.results[0].last_used_at)).toBeGreaterThan(Date.now() - 60_000)
  })

  it('says plainly when no Authorization header reached the server (a host that strips it)', async () => {
    const res = await s.call('GET', '/api/v1/auth/me/')
    expect(res.status).toBe(401)
    expect(res.body).toEqual({ success: false, error: expect.any(String), code: 'authorization_header_missing' })
    expect(res.body.error).toContain('Authorization header')
    expect(res.body.error).toContain('did not reach the server')
    // A proxy that blanks the header instead of dropping it gets the same diagnosis.
    const blank = await s.call('GET', '/api/v1/auth/me/', { headers: { authorization: ' ' } })
    expect(blank.body.code).toBe('authorization_header_missing')
  })

  it.each([
    ['a malformed header', { authorization: 'Basic dXNlcjpwYXNz' }, 'not_authenticated'],
    ['a bad token', { authorization: 'Bearer not.a.jwt' }, 'token_not_valid'],
  ])('answers the ordinary 401 for %s', async (_, headers, code) => {
    const res = await s.call('GET', '/api/v1/auth/me/', { headers })
    expect(res.status).toBe(401)
    expect(res.body.code).toBe(code)
  })

  it('keeps the plain not_authenticated for other routes without a header', async () => {
    const res = await s.call('GET', '/api/v1/system/sites/')
    expect(res.status).toBe(401)
    expect(res.body.code).toBe('not_authenticated')
  })

  it('refuses an access token signed under an older token version', async () => {
    const u = await s.user()
    await s.db
      .update(users)
      .set({ tokenVersion: sql`${users.tokenVersion} + 1` })
      .where(eq(users.id, u.id))
      .run()
    const res = await s.call('GET', '/api/v1/auth/me/', { token: u.token })
    expect(res.status).toBe(401)
    expect(res.body.code).toBe('token_not_valid')
  })
})

describe('hashSecret', () => {
  it('is the hex SHA-256 that stored keys and refresh tokens were hashed with, so keys handed out earlier still work', () => {
    for (const secret of [newApiKey(), newRefreshToken(), '', 'ünïcödé ✓', 'x'.repeat(10_000)])
      expect(hashSecret(secret)).toBe(createHash('sha256').update(secret).digest('hex'))
  })
})
