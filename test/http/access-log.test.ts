// The access log records the status that was actually sent, also for answers built as a Response.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { createLogger } from '../../src/log'
import { startServer, type TestServer } from '../helpers/server'
import { adminSession, post, send, type PageRes } from '../admin/client'

const lines: string[] = []
let s: TestServer
let admin: Awaited<ReturnType<typeof adminSession>>
beforeAll(async () => {
  s = await startServer({}, { log: createLogger('info', (line) => lines.push(line)) })
  admin = await adminSession(s)
}, 30_000)
afterAll(() => s.stop(), 30_000)

/** The access-log line of one answer, found by its request id (the line is written just after the answer). */
async function logged(res: PageRes) {
  const id = res.headers.get('x-request-id')!
  for (let i = 0; i < 50; i++) {
    const line = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request' && l.request_id === id)
    if (line) return line
    await Bun.sleep(10)
  }
  throw new Error(`no access-log line for ${id}`)
}

describe('the access log', () => {
  it.each([
    ['303 after a login', 303, () => send(s, 'POST', '/login', { form: { email: admin.email, password: admin.password } })],
    ['303 to the login page from the guard', 303, () => send(s, 'GET', '/sites')],
    ['201 after creating a site', 201, () => post(s, admin.session, '/sites', { name: 'Logged', url: 'https://logged.example.com' })],
    ['409 for a taken email', 409, () => post(s, admin.session, '/users', { email: admin.email, password: 'long enough password' })],
    ['422 for a bad form', 422, () => post(s, admin.session, '/sites', { name: 'Bad', url: 'not a url' })],
    ['404 for an admin page that does not exist', 404, () => send(s, 'GET', '/sites/999999/connection', { session: admin.session })],
    ['401 from the API', 401, () => send(s, 'GET', '/api/v1/system/sites/')],
  ])('logs %s with the status that was sent', async (_name, status, request) => {
    const res = await request()
    expect(res.status).toBe(status)
    const line = await logged(res)
    expect(line).toMatchObject({ msg: 'request', level: 'info', status })
  })
})
