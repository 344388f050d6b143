// PostgreSQL mirror of ../schema/changes.ts, used only to generate drizzle-pg/ migrations.
import { index, pgTable } from 'drizzle-orm/pg-core'
import { CHANGE_STATES } from '../schema/changes'
import { id, int, now, text } from './columns'
import { integrations } from './sites'
import { users } from './users'

export const contentChanges = pgTable(
  'content_changes',
  {
    id: id(),
    integrationId: int('integration_id')
      .notNull()
      .references(() => integrations.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['create', 'update'] }).notNull(),
    externalId: int('external_id'),
    postType: text('post_type').notNull(),
    fieldsJson: text('fields_json').notNull(),
    baseJson: text('base_json').notNull().default('{}'),
    baseModifiedAt: text('base_modified_at'),
    state: text('state', { enum: CHANGE_STATES }).notNull().default('pending'),
    delivery: text('delivery', { enum: ['plugin', 'rest'] }),
    attempts: int('attempts').notNull().default(0),
    error: text('error'),
    conflictJson: text('conflict_json'),
    leaseOwner: text('lease_owner'),
    // Milliseconds since the epoch.
    leaseExpiresAt: int('lease_expires_at'),
    nextAttemptAt: int('next_attempt_at'),
    createdBy: int('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: text('created_at').notNull().default(now),
    updatedAt: text('updated_at').notNull().default(now),
    appliedAt: text('applied_at'),
  },
  (t) => [
    index('content_changes_integration_state_idx').on(t.integrationId, t.state, t.id),
    index('content_changes_integration_post_idx').on(t.integrationId, t.externalId),
    index('content_changes_due_idx').on(t.state, t.nextAttemptAt),
  ],
)

export const pluginEndpoints = pgTable('plugin_endpoints', {
  integrationId: int('integration_id')
    .primaryKey()
    .references(() => integrations.id, { onDelete: 'cascade' }),
  url: text('url'),
  secretEnc: text('secret_enc'),
  registeredAt: text('registered_at'),
  lastSeenAt: text('last_seen_at'),
})
