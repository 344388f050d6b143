// The users page (administrators): create, reset a password, grant admin, deactivate.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { eq } from 'drizzle-orm'
import { users } from '../../src/db/schema'
import { Forbidden } from '../../src/http/errors'
import { listUsers, OPERATOR, setActive, setAdmin } from '../../src/users/service'
import { startServer, type TestServer } from '../helpers/server'
import { adminSession, htmxPost, login, post, send } from './client'

let s: TestServer
let admin: Awaited<ReturnType<typeof adminSession>>
beforeAll(async () => {
  s = await startServer()
  admin = await adminSession(s)
}, 30_000)
afterAll(() => s.stop(), 30_000)

const apiLogin = (email: string, password: string) => s.call('POST', '/api/v1/auth/login/', { body: { email, password } })

describe('POST /users', () => {
  it('creates a user who can then log in', async () => {
    const res = await post(s, admin.session, '/users', { email: 'New@Example.com', name: 'New', password: 'initial password' })
    expect(res.status).toBe(303)
    expect((await apiLogin('new@example.com', 'initial password')).status).toBe(200)
  })

  it('answers 409 on the form for a taken email', async () => {
    const res = await post(s, admin.session, '/users', { email: 'new@example.com', password: 'initial password' })
    expect(res.status).toBe(409)
    expect(res.text).toContain('A user with this email already exists.')
  })
})

describe('row actions', () => {
  it('resets a password: the old one stops working and their sessions end', async () => {
    const u = await s.user()
    const theirs = await login(s, u.email, u.password)
    const res = await htmxPost(s, admin.session, `/users/${u.id}/password`, { password: 'reset by admin 1' })
    expect(res.status).toBe(200)
    expect(res.text.trimStart()).toStartWith(`<tr id="user-${u.id}">`)
    expect((await apiLogin(u.email, u.password)).status).toBe(401)
    expect((await apiLogin(u.email, 'reset by admin 1')).status).toBe(200)
    expect((await send(s, 'GET', '/sites', { session: theirs })).status).toBe(303)
    // "Signed out everywhere" includes access tokens issued before, not only refresh tokens.
    const me = await s.call('GET', '/api/v1/auth/me/', { token: u.token })
    expect(me.status).toBe(401)
    expect(me.body.code).toBe('token_not_valid')
    expect((await s.call('POST', '/api/v1/auth/refresh/', { body: { refresh: u.refresh } })).status).toBe(401)
  })

  it('makes a user an administrator and back', async () => {
    const u = await s.user()
    await htmxPost(s, admin.session, `/users/${u.id}/admin`, { value: 'on' })
    const theirs = await login(s, u.email, u.password)
    expect((await send(s, 'GET', '/users', { session: theirs })).status).toBe(200)
    await post(s, admin.session, `/users/${u.id}/admin`, { value: 'off' })
    expect((await send(s, 'GET', '/users', { session: theirs })).status).toBe(403)
  })

  it('deactivates a user: signed out at once, refused at login, their tokens and site API keys refused', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    expect((await s.call('GET', '/api/v1/auth/me/', { token: site.key })).status).toBe(200)
    const theirs = await login(s, u.email, u.password)
    const res = await htmxPost(s, admin.session, `/users/${u.id}/active`, { value: 'off' })
    expect(res.text).toContain('Deactivated')
    expect((await send(s, 'GET', '/sites', { session: theirs })).status).toBe(303)
    expect((await apiLogin(u.email, u.password)).status).toBe(401)
    expect((await s.call('POST', '/api/v1/auth/refresh/', { body: { refresh: u.refresh } })).status).toBe(401)
    expect((await s.call('GET', '/api/v1/auth/me/', { token: u.token })).status).toBe(401)
    const key = await s.call('GET', '/api/v1/auth/me/', { token: site.key })
    expect(key.status).toBe(401)
    expect(key.body.code).toBe('invalid_api_key')
    // Activated again, the keys work again (they were refused, not revoked); old access tokens stay dead.
    await htmxPost(s, admin.session, `/users/${u.id}/active`, { value: 'on' })
    expect((await s.call('GET', '/api/v1/auth/me/', { token: site.key })).status).toBe(200)
    expect((await s.call('GET', '/api/v1/auth/me/', { token: u.token })).status).toBe(401)
  })

  it('refuses to let an administrator demote, deactivate or reset the password of themself (403)', async () => {
    expect((await htmxPost(s, admin.session, `/users/${admin.id}/admin`, { value: 'off' })).status).toBe(403)
    expect((await htmxPost(s, admin.session, `/users/${admin.id}/active`, { value: 'off' })).status).toBe(403)
    // Their own password changes on the Account page, which asks for the current one.
    expect((await htmxPost(s, admin.session, `/users/${admin.id}/password`, { password: 'no current asked' })).status).toBe(403)
    expect((await send(s, 'GET', '/users', { session: admin.session })).status).toBe(200)
  })
})

describe('the users service (shared by these pages and the CLI)', () => {
  const row = async (id: number) => (await s.db.select().from(users).where(eq(users.id, id)).get())!
  const as = async (id: number, isAdmin: boolean) => ({ kind: 'user' as const, user: { ...(await row(id)), isAdmin } })

  it('answers the public shape only: never a password hash', async () => {
    const rows = await listUsers(s.db, OPERATOR)
    expect(rows.length).toBeGreaterThan(0)
    for (const row of rows) expect(Object.keys(row).sort()).toEqual(['created_at', 'email', 'id', 'is_active', 'is_admin', 'name'])
  })

  it('checks authorization itself: a non-admin is refused, an admin cannot demote or deactivate themself', async () => {
    const plain = await s.user()
    const other = await s.user()
    await expect(listUsers(s.db, await as(plain.id, false))).rejects.toThrow(Forbidden)
    await expect(setAdmin(s.db, await as(plain.id, false), other.id, true)).rejects.toThrow(Forbidden)
    expect((await row(other.id)).isAdmin).toBe(false)
    await expect(setAdmin(s.db, await as(admin.id, true), admin.id, false)).rejects.toThrow(Forbidden)
    await expect(setActive(s.db, await as(admin.id, true), admin.id, false)).rejects.toThrow(Forbidden)
    expect((await setAdmin(s.db, await as(admin.id, true), other.id, true)).is_admin).toBe(true)
  })
})
