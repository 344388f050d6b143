// The sync log: one row per accepted push, batch, pull or cron run.
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { integrations } from './sites'

export const syncEvents = sqliteTable(
  'sync_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    // Null for cron runs, which belong to no single integration.
    integrationId: integer('integration_id').references(() => integrations.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['structure', 'content', 'terms', 'pull', 'cron', 'pushback'] }).notNull(),
    source: text('source', { enum: ['plugin', 'pull', 'admin', 'cron'] }).notNull(),
    status: text('status', { enum: ['ok', 'error'] }).notNull(),
    summary: text('summary').notNull().default(''),
    countsJson: text('counts_json').notNull().default('{}'),
    error: text('error'),
    startedAt: text('started_at').notNull(),
    durationMs: integer('duration_ms').notNull().default(0),
  },
  (t) => [index('sync_events_integration_idx').on(t.integrationId, t.id), index('sync_events_started_idx').on(t.startedAt)],
)

export type SyncEvent = typeof syncEvents.$inferSelect
