// A failure inside the server answers 500 in the envelope, and neither the answer nor the log carries a stack, SQL or secrets.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { createLogger } from '../../src/log'
import { seedStructure, startServer, type TestServer } from '../helpers/server'
import { sql } from 'drizzle-orm'
import { runSql } from '../../src/db/client'

const lines: string[] = []
let s: TestServer
beforeAll(async () => {
  s = await startServer({}, { log: createLogger('debug', (line) => lines.push(line)) })
}, 30_000)
afterAll(() => s.stop(), 30_000)

describe('an unexpected error', () => {
  it('answers 500 with the request id, and logs one line without SQL, stack or token', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    await s.call('POST', `/api/v1/integration/integrations/${site.integrationId}/update-structure/`, {
      token: site.key,
      body: seedStructure(),
    })
    // Break the table content-types reads, as a damaged database would.
    await runSql(s.db, sql.raw('ALTER TABLE type_counters RENAME TO type_counters_gone'))
    try {
      const res = await s.call('GET', `/api/v1/integration/integrations/${site.integrationId}/content-types/`, { token: site.key })
      expect(res.status).toBe(500)
      expect(res.body).toEqual({ success: false, error: 'Internal server error.', code: 'internal_error' })
      const id = res.headers.get('x-request-id')!
      const logged = lines.filter((l) => l.includes(id))
      const error = logged.map((l) => JSON.parse(l)).find((l) => l.level === 'error')
      expect(error).toMatchObject({ msg: 'unhandled error', request_id: id })
      for (const text of [res.text, ...logged]) {
        expect(text).not.toMatch(/select|from "|\bat .*\.ts:\d+/i)
        expect(text).not.toContain(site.key)
      }
    } finally {
      await runSql(s.db, sql.raw('ALTER TABLE type_counters_gone RENAME TO type_counters'))
    }
  })
})
