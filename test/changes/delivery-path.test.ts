// Which way changes travel: plugin (seen in 24 h), rest (pull credentials), or nowhere yet with a reason.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { eq } from 'drizzle-orm'
import { deliveryPath } from '../../src/changes/delivery-path'
import { pluginEndpoints } from '../../src/db/schema'
import { startServer, type TestServer } from '../helpers/server'
import { editableSite } from './helpers'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
}, 30_000)
afterAll(() => s.stop(), 30_000)

describe('deliveryPath()', () => {
  it('is null with a reason, rest with pull credentials, plugin once it polls, rest again after 24 h', async () => {
    const c = await editableSite(s)
    const none = await deliveryPath(s.db, c.integrationId)
    expect(none.path).toBeNull()
    expect(none.reason).toContain('no pull credentials')
    const put = await s.call('PUT', `${c.base}/pull-credentials/`, {
      token: c.user.token,
      body: { wp_url: 'https://93.184.215.14', username: 'admin', app_password: 'abcd efgh ijkl mnop' },
    })
    expect(put.status).toBe(200)
    expect((await deliveryPath(s.db, c.integrationId)).path).toBe('rest')
    await c.plugin.pending()
    expect((await deliveryPath(s.db, c.integrationId)).path).toBe('plugin')
    const old = new Date(Date.now() - 25 * 3600_000).toISOString()
    await s.db.update(pluginEndpoints).set({ lastSeenAt: old }).where(eq(pluginEndpoints.integrationId, c.integrationId)).run()
    const stale = await deliveryPath(s.db, c.integrationId)
    expect(stale.path).toBe('rest')
    expect(stale.reason).toContain('24 h')
  })
})
