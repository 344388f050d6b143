// The users page (administrators): create, reset a password, grant admin, deactivate.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { startServer, type TestServer } from '../helpers/server'
import { adminSession, htmxPost, login, post, send } from './client'

let s: TestServer
let admin: Awaited<ReturnType<typeof adminSession>>
beforeAll(async () => {
  s = await startServer()
  admin = await adminSession(s)
})
afterAll(() => s.stop())

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
  })

  it('makes a user an administrator and back', async () => {
    const u = await s.user()
    await htmxPost(s, admin.session, `/users/${u.id}/admin`, { value: 'on' })
    const theirs = await login(s, u.email, u.password)
    expect((await send(s, 'GET', '/users', { session: theirs })).status).toBe(200)
    await post(s, admin.session, `/users/${u.id}/admin`, { value: 'off' })
    expect((await send(s, 'GET', '/users', { session: theirs })).status).toBe(403)
  })

  it('deactivates a user: signed out at once and refused at login', async () => {
    const u = await s.user()
    const theirs = await login(s, u.email, u.password)
    const res = await htmxPost(s, admin.session, `/users/${u.id}/active`, { value: 'off' })
    expect(res.text).toContain('Deactivated')
    expect((await send(s, 'GET', '/sites', { session: theirs })).status).toBe(303)
    expect((await apiLogin(u.email, u.password)).status).toBe(401)
    expect((await s.call('POST', '/api/v1/auth/refresh/', { body: { refresh: u.refresh } })).status).toBe(401)
  })

  it('refuses to let an administrator demote or deactivate themself (403)', async () => {
    expect((await htmxPost(s, admin.session, `/users/${admin.id}/admin`, { value: 'off' })).status).toBe(403)
    expect((await htmxPost(s, admin.session, `/users/${admin.id}/active`, { value: 'off' })).status).toBe(403)
    expect((await send(s, 'GET', '/users', { session: admin.session })).status).toBe(200)
  })
})
