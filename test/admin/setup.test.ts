// First run: while no user exists, /setup creates the first administrator with the one-time token
// printed at start-up; after that the page is gone.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { createApp, createContext } from '../../src/app'
import { setupToken } from '../../src/admin/setup'
import { countRows } from '../../src/db/client'
import { users } from '../../src/db/schema'
import { createLogger } from '../../src/log'
import { startServer, type TestServer } from '../helpers/server'
import { send } from './client'

const ADMIN = { name: 'First', email: 'first@example.com', password: 'a long admin password', confirm: 'a long admin password' }

describe('first-run setup', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startServer()
  }, 30_000)
  afterAll(() => s.stop(), 30_000)

  it('sends / to the setup page while there is no user', async () => {
    const res = await send(s, 'GET', '/')
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/setup')
    expect((await send(s, 'GET', '/login')).headers.get('location')).toBe('/setup')
    expect((await send(s, 'GET', '/setup')).status).toBe(200)
  })

  it('refuses a wrong token (403, form shown again) and creates nobody', async () => {
    const res = await send(s, 'POST', '/setup', { form: { ...ADMIN, token: 'not-the-token' } })
    expect(res.status).toBe(403)
    expect(res.text).toContain('The setup token is not correct.')
    expect(res.text).toContain('value="first@example.com"')
    expect(await countRows(s.db, users)).toBe(0)
  })

  it('refuses mismatched passwords with 422 naming the field', async () => {
    const res = await send(s, 'POST', '/setup', { form: { ...ADMIN, confirm: 'something else', token: (await setupToken(s.ctx))! } })
    expect(res.status).toBe(422)
    expect(res.text).toContain('The two passwords do not match.')
    expect(await countRows(s.db, users)).toBe(0)
  })

  it('creates the first user as an administrator with the right token', async () => {
    const res = await send(s, 'POST', '/setup', { form: { ...ADMIN, token: (await setupToken(s.ctx))! } })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login?m=setup-done')
    const me = await s.call('POST', '/api/v1/auth/login/', { body: { email: ADMIN.email, password: ADMIN.password } })
    const token = me.body.data.access
    expect((await s.call('GET', '/api/v1/auth/me/', { token })).body.data.user.is_admin).toBe(true)
  })

  it('disappears once a user exists: GET and POST are 404 and / goes to login', async () => {
    expect(await setupToken(s.ctx)).toBeUndefined()
    expect((await send(s, 'GET', '/setup')).status).toBe(404)
    expect((await send(s, 'POST', '/setup', { form: { ...ADMIN, email: 'second@example.com', token: 'anything' } })).status).toBe(404)
    expect((await send(s, 'GET', '/')).headers.get('location')).toBe('/login')
    expect(await countRows(s.db, users)).toBe(1)
  })
})

describe('the setup token at start-up', () => {
  it('is printed in the log when the database has no user', async () => {
    const s = await startServer()
    const lines: string[] = []
    try {
      await createApp(
        createContext(
          s.db,
          s.ctx.config,
          createLogger('info', (l) => lines.push(l)),
        ),
      )
      const logged = lines.map((l) => JSON.parse(l)).find((l) => l.setup_token)
      expect(logged.setup_token).toMatch(/^[\w-]{20,}$/)
      expect(logged.level).toBe('warn')
    } finally {
      await s.stop()
    }
  })

  it('is not made at all when a user already exists (setup created by `igny8 user create`)', async () => {
    const s = await startServer()
    try {
      await s.user({ admin: true })
      const lines: string[] = []
      const ctx = createContext(
        s.db,
        s.ctx.config,
        createLogger('info', (l) => lines.push(l)),
      )
      await createApp(ctx)
      expect(await setupToken(ctx)).toBeUndefined()
      expect(lines.some((l) => l.includes('setup_token'))).toBe(false)
    } finally {
      await s.stop()
    }
  })
})
