// Account recovery from the command line, beside a running server on the same data dir.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { join } from 'node:path'
import { startServer, TEST_SECRET, type TestServer } from '../helpers/server'
import { sqliteOf } from '../../src/db/sqlite'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
}, 30_000)
afterAll(() => s.stop(), 30_000)

/** Runs the CLI on the test server's data dir; `stdin` is piped in, `env` added to the environment. */
const run = (args: string[], o: { stdin?: string; env?: Record<string, string> } = {}) => {
  const r = Bun.spawnSync([process.execPath, join(import.meta.dir, '../../src/index.ts'), ...args, '--data-dir', s.dir], {
    env: { ...process.env, IGNY8_SECRET: TEST_SECRET, IGNY8_PASSWORD: '', ...o.env },
    stdin: o.stdin === undefined ? 'ignore' : new TextEncoder().encode(o.stdin),
  })
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() }
}
const igny8 = (...args: string[]) => run(args)
const apiLogin = (email: string, password: string) => s.call('POST', '/api/v1/auth/login/', { body: { email, password } })

describe('igny8 user set-password', () => {
  it('recovers a locked-out administrator: new password, admin and active again, old tokens revoked', async () => {
    const u = await s.user({ admin: true })
    sqliteOf(s.db).query('update users set is_admin = 0, is_active = 0 where id = ?').run(u.id)
    const run = igny8('user', 'set-password', '--email', u.email, '--password', 'a brand new password', '--admin')
    expect(run.code).toBe(0)
    expect(run.out).toContain(`password set for ${u.email}`)
    expect((await s.call('POST', '/api/v1/auth/refresh/', { body: { refresh: u.refresh } })).status).toBe(401)
    expect((await s.call('GET', '/api/v1/auth/me/', { token: u.token })).status).toBe(401)
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

describe('passwords without argv (which `ps` shows to every local user)', () => {
  it('user create reads one line from standard input when --password is absent', async () => {
    const r = run(['user', 'create', '--email', 'stdin@example.com'], { stdin: 'piped in password\nsecond line ignored\n' })
    expect(r.code).toBe(0)
    expect(r.out).toContain('created user stdin@example.com')
    expect((await apiLogin('stdin@example.com', 'piped in password')).status).toBe(200)
  })

  it('user create takes IGNY8_PASSWORD', async () => {
    const r = run(['user', 'create', '--email', 'env@example.com'], { env: { IGNY8_PASSWORD: 'from the environment' } })
    expect(r.code).toBe(0)
    expect((await apiLogin('env@example.com', 'from the environment')).status).toBe(200)
  })

  it('user set-password reads standard input (a CRLF line too) and signs the user out', async () => {
    const u = await s.user()
    const r = run(['user', 'set-password', '--email', u.email], { stdin: 'typed on windows 1\r\n' })
    expect(r.code).toBe(0)
    expect((await apiLogin(u.email, 'typed on windows 1')).status).toBe(200)
    expect((await s.call('GET', '/api/v1/auth/me/', { token: u.token })).status).toBe(401)
  })

  it('still accepts --password, and fails with one line when no password comes from anywhere', () => {
    expect(run(['user', 'create', '--email', 'argv@example.com', '--password', 'on the command line']).code).toBe(0)
    const none = run(['user', 'create', '--email', 'none@example.com'], { stdin: '' })
    expect(none.code).toBe(2)
    expect(none.err).toContain('IGNY8_PASSWORD')
    const short = run(['user', 'set-password', '--email', 'argv@example.com'], { stdin: 'short\n' })
    expect(short.code).toBe(2)
    expect(short.err).toContain('invalid password')
  })

  it('documents the safer ways in --help', () => {
    const help = run(['--help']).out
    expect(help).toContain('IGNY8_PASSWORD')
    expect(help).toContain('standard input')
  })
})
