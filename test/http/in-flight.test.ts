// The requests being handled (src/http/in-flight.ts): every request that began ends, whatever it was answered, so that
// shutdown's wait for them (src/serve.ts) ends as soon as the last one does.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { startServer, type TestServer } from '../helpers/server'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
})
afterAll(async () => {
  await s.stop()
})

describe('requests in flight', () => {
  it('ends every request, answered 2xx, 4xx or with a page, so none is left being handled', async () => {
    const owner = await s.user()
    const site = await s.site(owner.token)
    const answers = await Promise.all([
      s.call('GET', '/api/v1/health/'),
      s.call('GET', `/api/v1/integration/integrations/${site.integrationId}/content-types/`, { token: site.key }),
      s.call('GET', '/api/v1/no-such-route/'),
      s.call('GET', '/api/v1/system/sites/'), // no token
      s.call('GET', '/api/v1/system/sites/?q=%00'),
      s.call('POST', '/api/v1/auth/login/', { body: { email: 'x' } }),
      s.call('POST', `/api/v1/integration/integrations/${site.integrationId}/update-structure/`, { token: site.key, body: '{' }),
      s.call('GET', '/no-such-page'),
      s.call('GET', '/login'),
    ])
    expect(answers.map((a) => Math.floor(a.status / 100))).toEqual([2, 2, 4, 4, 4, 4, 4, 4, 2])
    expect(await s.ctx.inFlight.settled(1000)).toBe(true)
  })

  it('waits for a request being handled, and not longer', async () => {
    const request = new Request('http://localhost/')
    s.ctx.inFlight.begin(request)
    expect(await s.ctx.inFlight.settled(50)).toBe(false)
    const settled = s.ctx.inFlight.settled(5000)
    setTimeout(() => s.ctx.inFlight.end(request), 20)
    const started = performance.now()
    expect(await settled).toBe(true)
    expect(performance.now() - started).toBeLessThan(1000)
  })
})
