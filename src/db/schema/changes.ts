// Push-back (contract "Push-back: IGNY8 → WordPress"): edits made in IGNY8 waiting to reach WordPress, and where
// each integration's plugin can be nudged. A change is the unit of delivery, conflict and history.
import { sql } from 'drizzle-orm'
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { integrations } from './sites'
import { users } from './users'

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`

export const CHANGE_STATES = ['pending', 'delivering', 'applied', 'conflict', 'failed', 'cancelled'] as const
export type ChangeState = (typeof CHANGE_STATES)[number]

export const contentChanges = sqliteTable(
  'content_changes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    integrationId: integer('integration_id')
      .notNull()
      .references(() => integrations.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['create', 'update'] }).notNull(),
    // The WordPress post id; null for a `create` until WordPress has made the post.
    externalId: integer('external_id'),
    postType: text('post_type').notNull(),
    // The fields to write ({"title": "…", "terms": {"category": [12]}, "seo": {…}}), later edits merged in.
    fieldsJson: text('fields_json').notNull(),
    // What was stored for each of those fields when the edit was made: the base of the three-way merge.
    baseJson: text('base_json').notNull().default('{}'),
    // The post's modified_gmt the editor saw; a different one in WordPress means it changed there since.
    baseModifiedAt: text('base_modified_at'),
    state: text('state', { enum: CHANGE_STATES }).notNull().default('pending'),
    delivery: text('delivery', { enum: ['plugin', 'rest'] }),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    // {"fields": {"title": {"base", "igny8", "wordpress"}}} while in `conflict`.
    conflictJson: text('conflict_json'),
    // A delivery in progress: who holds it (a plugin poll or this server's REST worker) and until when (ms).
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: integer('lease_expires_at'),
    // Backoff after a failed delivery: not retried before this time (ms).
    nextAttemptAt: integer('next_attempt_at'),
    createdBy: integer('created_by').references(() => users.id, { onDelete: 'set null' }),
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

/** The plugin's nudge endpoint and when the plugin was last seen polling (which delivery path is live). */
export const pluginEndpoints = sqliteTable('plugin_endpoints', {
  integrationId: integer('integration_id')
    .primaryKey()
    .references(() => integrations.id, { onDelete: 'cascade' }),
  url: text('url'),
  // AES-256-GCM like pull credentials (src/pull/secret-box.ts); shown to the plugin once.
  secretEnc: text('secret_enc'),
  registeredAt: text('registered_at'),
  lastSeenAt: text('last_seen_at'),
})

export type ContentChange = typeof contentChanges.$inferSelect
export type PluginEndpoint = typeof pluginEndpoints.$inferSelect
