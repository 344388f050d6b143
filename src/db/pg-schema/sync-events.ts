// PostgreSQL mirror of ../schema/sync-events.ts, used only to generate drizzle-pg/ migrations.
import { index, pgTable } from 'drizzle-orm/pg-core'
import { id, int, text } from './columns'
import { integrations } from './sites'

export const syncEvents = pgTable(
  'sync_events',
  {
    id: id(),
    integrationId: int('integration_id').references(() => integrations.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['structure', 'content', 'terms', 'pull', 'cron', 'pushback'] }).notNull(),
    source: text('source', { enum: ['plugin', 'pull', 'admin', 'cron'] }).notNull(),
    status: text('status', { enum: ['ok', 'error'] }).notNull(),
    summary: text('summary').notNull().default(''),
    countsJson: text('counts_json').notNull().default('{}'),
    error: text('error'),
    startedAt: text('started_at').notNull(),
    durationMs: int('duration_ms').notNull().default(0),
  },
  (t) => [index('sync_events_integration_idx').on(t.integrationId, t.id), index('sync_events_started_idx').on(t.startedAt)],
)
