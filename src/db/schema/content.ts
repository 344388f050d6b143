// Synced WordPress content: items (with their term ids), terms, and the per-type
// counters that make synced_count cost the same at any volume.
import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { integrations } from './sites'

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`

export const content = sqliteTable(
  'content',
  {
    // A plain rowid alias: AUTOINCREMENT would add a write to sqlite_sequence for every row, and
    // these ids never leave the server (the API speaks WordPress ids).
    id: integer('id').primaryKey(),
    integrationId: integer('integration_id')
      .notNull()
      .references(() => integrations.id, { onDelete: 'cascade' }),
    externalId: integer('external_id').notNull(),
    postType: text('post_type').notNull(),
    title: text('title').notNull().default(''),
    slug: text('slug').notNull().default(''),
    status: text('status').notNull().default(''),
    url: text('url').notNull().default(''),
    modifiedAt: text('modified_at'),
    seoTitle: text('seo_title'),
    seoDescription: text('seo_description'),
    // The item's term ids by taxonomy ({"category":[12]}), linking it to content_taxonomy rows by
    // WordPress id. Kept in the row: a separate link table tripled the writes of every batch.
    termsJson: text('terms_json').notNull().default('{}'),
    // Fingerprint of everything the plugin sent, so a repeated batch is "unchanged" without a field-by-field compare.
    fingerprint: text('fingerprint').notNull().default(''),
    createdAt: text('created_at').notNull().default(now),
    updatedAt: text('updated_at').notNull().default(now),
  },
  (t) => [
    uniqueIndex('content_integration_external_uq').on(t.integrationId, t.externalId),
    index('content_integration_type_idx').on(t.integrationId, t.postType, t.modifiedAt),
  ],
)

export const contentTaxonomy = sqliteTable(
  'content_taxonomy',
  {
    // A plain rowid alias: AUTOINCREMENT would add a write to sqlite_sequence for every row, and
    // these ids never leave the server (the API speaks WordPress ids).
    id: integer('id').primaryKey(),
    integrationId: integer('integration_id')
      .notNull()
      .references(() => integrations.id, { onDelete: 'cascade' }),
    taxonomy: text('taxonomy').notNull(),
    externalId: integer('external_id').notNull(),
    name: text('name').notNull().default(''),
    slug: text('slug').notNull().default(''),
    // The parent's WordPress id (0 = top level), so a child may arrive before its parent.
    parentExternalId: integer('parent_external_id').notNull().default(0),
    description: text('description').notNull().default(''),
    fingerprint: text('fingerprint').notNull().default(''),
    createdAt: text('created_at').notNull().default(now),
    updatedAt: text('updated_at').notNull().default(now),
  },
  (t) => [
    uniqueIndex('content_taxonomy_integration_tax_external_uq').on(t.integrationId, t.taxonomy, t.externalId),
    index('content_taxonomy_parent_idx').on(t.integrationId, t.taxonomy, t.parentExternalId),
  ],
)

export const typeCounters = sqliteTable(
  'type_counters',
  {
    integrationId: integer('integration_id')
      .notNull()
      .references(() => integrations.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['post_type', 'taxonomy'] }).notNull(),
    slug: text('slug').notNull(),
    syncedCount: integer('synced_count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.integrationId, t.kind, t.slug] })],
)

export type ContentItem = typeof content.$inferSelect
export type Term = typeof contentTaxonomy.$inferSelect
