// The daily backup of a large database must not stall the server: it answers /health/ throughout the copy.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { Database } from 'bun:sqlite'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { backupDir } from '../../src/cron/backup'
import { runDailyJob } from '../../src/cron/service'
import { startServer, type TestServer } from '../helpers/server'
import { sqliteOf } from '../../src/db/sqlite'

const ITEMS = 500_000
let s: TestServer
beforeAll(async () => {
  s = await startServer({ 'backup-keep': '3' })
  const u = await s.user()
  const { integrationId } = await s.site(u.token)
  // One statement, so half a million rows take a second or two rather than minutes.
  sqliteOf(s.db).run(
    `INSERT INTO content (integration_id, external_id, post_type, title, slug, status, url, modified_at, terms_json)
     WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
     SELECT ?, i, 'post', 'A post with a title of ordinary length ' || i, 'a-post-' || i, 'publish',
            'https://blog.example.com/a-post-' || i || '/', '2025-01-01T00:00:00Z', '{"category":[1,2,3]}' FROM n`,
    [ITEMS, integrationId],
  )
  // Checkpoint the set-up's bulk write now, so the job's first small write does not pay for it.
  sqliteOf(s.db).exec('PRAGMA wal_checkpoint(TRUNCATE)')
}, 60_000)
afterAll(() => s.stop(), 30_000)

describe('the daily backup', () => {
  it(`of ${ITEMS} content items leaves every /health/ answer under 200 ms and writes a valid copy`, async () => {
    const poller = Bun.spawn([process.execPath, join(import.meta.dir, '../helpers/health-poller.ts'), s.base], {
      stdin: 'pipe',
      stdout: 'pipe',
    })
    await Bun.sleep(300) // the poller is answered before the job starts
    const result = await runDailyJob(s.ctx, new Date(Date.UTC(2030, 0, 1, 3)))
    poller.stdin.end()
    const latencies = JSON.parse(await new Response(poller.stdout).text()) as number[]

    expect(result.ran && result.housekeeping.failures).toEqual([])
    expect(Math.max(...latencies)).toBeLessThan(200)
    // The poller was answered throughout, not once before a stall and once after it.
    expect(latencies.length).toBeGreaterThanOrEqual(10)

    const name = result.ran ? result.housekeeping.backup : null
    expect(readdirSync(backupDir(s.dir))).toEqual([name!])
    const copy = new Database(join(backupDir(s.dir), name!), { readonly: true })
    expect(copy.query('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' })
    expect(copy.query('SELECT count(*) AS n FROM content').get()).toEqual({ n: ITEMS })
    copy.close()
  }, 120_000)
})
