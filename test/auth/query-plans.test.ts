// Signing a user out everywhere (password change, deactivation) finds their refresh tokens through an index,
// not a scan of every token of every user.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { and, eq, isNull } from 'drizzle-orm'
import { refreshTokens } from '../../src/db/schema'
import { sqliteOf } from '../../src/db/sqlite'
import { startServer, TEST_ENGINE, type TestServer } from '../helpers/server'

// About SQLite's planner itself: skipped in the PostgreSQL pass (test/engines.ts lists it as SQLite-only).
const onSqlite = TEST_ENGINE === 'sqlite'
let s: TestServer
beforeAll(async () => {
  if (onSqlite) s = await startServer()
}, 30_000)
afterAll(async () => await s?.stop(), 30_000)

describe.skipIf(!onSqlite)('SQLite: EXPLAIN QUERY PLAN of revoking a user’s refresh tokens', () => {
  it('searches refresh_tokens by user_id through an index', () => {
    const { sql, params } = s.db
      .update(refreshTokens)
      .set({ revokedAt: 1 })
      .where(and(eq(refreshTokens.userId, 7), isNull(refreshTokens.revokedAt)))
      .toSQL()
    const plan = (
      sqliteOf(s.db)
        .query(`explain query plan ${sql}`)
        .all(...(params as never[])) as { detail: string }[]
    ).map((r) => r.detail)
    expect(plan.join('\n')).toMatch(/SEARCH refresh_tokens USING INDEX refresh_tokens_user_idx \(user_id=\?\)/)
  })
})
