// Behind a trusted proxy the login limit keys on the address that proxy appended, not on what the client forged.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { startServer, type TestServer } from '../helpers/server'

let s: TestServer
beforeAll(async () => {
  s = await startServer({ 'trust-proxy': 'true' })
})
afterAll(() => s.stop())

describe('POST /auth/login/ behind a trusted proxy', () => {
  it('limits one client even when it forges a new first X-Forwarded-For hop each time', async () => {
    let status = 0
    for (let i = 0; i < 31 && status !== 429; i++) {
      const res = await s.call('POST', '/api/v1/auth/login/', {
        body: { email: `nobody${i}@example.com`, password: 'wrong-password' },
        headers: { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.7` },
      })
      status = res.status
    }
    expect(status).toBe(429)
    // Another client behind the same proxy is not affected.
    const other = await s.call('POST', '/api/v1/auth/login/', {
      body: { email: 'someone@example.com', password: 'wrong-password' },
      headers: { 'x-forwarded-for': '203.0.113.8' },
    })
    expect(other.status).toBe(401)
  }, 60_000)
})
