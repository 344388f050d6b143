// GET /health: liveness plus a real database read.
import { Elysia } from 'elysia'
import { firstRow } from '../db/client'
import { sql } from 'drizzle-orm'
import type { AppContext } from '../context'

export function healthRoutes(ctx: AppContext) {
  return new Elysia({ detail: { tags: ['Health'] } }).get('/health', async ({ set }) => {
    let db: 'ok' | 'error' = 'ok'
    try {
      await firstRow(ctx.db, sql`select 1 from users limit 1`)
    } catch {
      db = 'error'
    }
    const data = {
      status: db === 'ok' ? 'ok' : 'degraded',
      version: ctx.version,
      db,
      engine: ctx.db.engine,
      uptime_s: Math.round((Date.now() - ctx.startedAt) / 1000),
    }
    if (db === 'error') {
      set.status = 503
      return { success: false, error: 'The database cannot be read.', code: 'db_unavailable', data }
    }
    return { success: true, data }
  })
}
