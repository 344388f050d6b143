// Account recovery from the command line, beside a running server on the same data dir.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { join } from 'node:path'
import { startServer, TEST_SECRET, type TestServer } from '../helpers/server'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
})
afterAll(() => s.stop())

const igny8 = (...args: string[]) => {
  const r = Bun.spawnSync([process.execPath, join(import.meta.dir, '../../src/index.ts'), ...args, '--data-dir', s.dir], {
    env: { ...process.env, IGNY8_SECRET: TEST_SECRET },
  })
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() }
}

describe('igny8 user set-password', () => {
  it('recovers a locked-out administrator: new password, admin and active again, old tokens revoked', async () => {
    const u = await s.user({ admin: true })
    s.db.$client.query('update users set is_admin = 0, is_active = 0 where id = ?').run(u.id)
    const run = igny8('user', 'set-password', '--email', u.email, '--password', 'a brand new password', '--admin')
    expect(run.code).toBe(0)
    expect(run.out).toContain(`password set for ${u.email}`)
    expect((await s.call('POST', '/api/v1/auth/refresh/', { body: { refresh: u.refresh } })).status).toBe(401)
    expect((await s.call('POST', '/api/v1/auth/login/', { body: { email: u.email, password: u.password } })).status).toBe(401)
    const login = await s.call('POST', '/api/v1/auth/login/', { body: { email: u.email, password: 'a brand new password' } })
    expect(login.status).toBe(200)
    const me = await s.call('GET', '/api/v1/auth/me/', { token: login.body.data.access })
    expect(me.body.data.user.is_admin).toBe(true)
  })

  it('fails with one line for an unknown email or a short password', () => {
    const unknown = igny8('user', 'set-password', '--email', 'nobody@example.com', '--password', 'long enough password')
    expect(unknown.code).toBe(2)
    expect(unknown.err.trim()).toBe('igny8: no user with the email nobody@example.com')
    const short = igny8('user', 'set-password', '--email', 'nobody@example.com', '--password', 'short')
    expect(short.code).toBe(2)
    expect(short.err).toContain('invalid --password')
  })
})

describe('igny8 user list', () => {
  it('lists every account with its role and state', async () => {
    const admin = await s.user({ admin: true })
    const run = igny8('user', 'list')
    expect(run.code).toBe(0)
    expect(run.out).toMatch(new RegExp(`${admin.id}  ${admin.email.replace('.', '\\.')}  admin`))
  })
})
