// PostgreSQL mirror of ../schema/content.ts, used only to generate drizzle-pg/ migrations.
import { sql } from 'drizzle-orm'
import { index, pgTable, primaryKey, uniqueIndex } from 'drizzle-orm/pg-core'
import { id, int, now, text } from './columns'
import { integrations } from './sites'

export const content = pgTable(
  'content',
  {
    id: id(),
    integrationId: int('integration_id')
      .notNull()
      .references(() => integrations.id, { onDelete: 'cascade' }),
    externalId: int('external_id').notNull(),
    postType: text('post_type').notNull(),
    title: text('title').notNull().default(''),
    slug: text('slug').notNull().default(''),
    status: text('status').notNull().default(''),
    url: text('url').notNull().default(''),
    modifiedAt: text('modified_at'),
    // SQLite's virtual strftime() column. PostgreSQL has only STORED generated columns and wants an
    // IMMUTABLE expression, which the text→timestamptz cast is not; igny8_utc() (drizzle-pg/0000_functions.sql)
    // wraps it, pinned to UTC so the answer never depends on the session.
    modifiedAtUtc: text('modified_at_utc').generatedAlwaysAs(sql`igny8_utc(modified_at)`),
    seoTitle: text('seo_title'),
    seoDescription: text('seo_description'),
    excerpt: text('excerpt'),
    publishedAt: text('published_at'),
    authorId: int('author_id'),
    authorName: text('author_name'),
    termsJson: text('terms_json').notNull().default('{}'),
    fingerprint: text('fingerprint').notNull().default(''),
    createdAt: text('created_at').notNull().default(now),
    updatedAt: text('updated_at').notNull().default(now),
  },
  (t) => [
    uniqueIndex('content_integration_external_uq').on(t.integrationId, t.externalId),
    // SQLite's indexes end in the rowid and sort NULLs first; these say both, so a listing page ("modified_at_utc
    // desc nulls last, id desc") is read backwards from the index on PostgreSQL too, never sorted.
    index('content_integration_modified_idx').on(t.integrationId, t.modifiedAtUtc.asc().nullsFirst(), t.id),
    index('content_integration_type_modified_idx').on(t.integrationId, t.postType, t.modifiedAtUtc.asc().nullsFirst(), t.id),
    index('content_integration_type_status_modified_idx').on(
      t.integrationId,
      t.postType,
      t.status,
      t.modifiedAtUtc.asc().nullsFirst(),
      t.id,
    ),
  ],
)

export const contentTaxonomy = pgTable(
  'content_taxonomy',
  {
    id: id(),
    integrationId: int('integration_id')
      .notNull()
      .references(() => integrations.id, { onDelete: 'cascade' }),
    taxonomy: text('taxonomy').notNull(),
    externalId: int('external_id').notNull(),
    name: text('name').notNull().default(''),
    slug: text('slug').notNull().default(''),
    parentExternalId: int('parent_external_id').notNull().default(0),
    description: text('description').notNull().default(''),
    fingerprint: text('fingerprint').notNull().default(''),
    treePath: text('tree_path').notNull().default(''),
    depth: int('depth').notNull().default(0),
    createdAt: text('created_at').notNull().default(now),
    updatedAt: text('updated_at').notNull().default(now),
  },
  (t) => [
    uniqueIndex('content_taxonomy_integration_tax_external_uq').on(t.integrationId, t.taxonomy, t.externalId),
    index('content_taxonomy_parent_idx').on(t.integrationId, t.taxonomy, t.parentExternalId),
    index('content_taxonomy_tree_idx').on(t.integrationId, t.taxonomy, t.treePath),
  ],
)

export const typeCounters = pgTable(
  'type_counters',
  {
    integrationId: int('integration_id')
      .notNull()
      .references(() => integrations.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['post_type', 'taxonomy'] }).notNull(),
    slug: text('slug').notNull(),
    syncedCount: int('synced_count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.integrationId, t.kind, t.slug] })],
)

// How many of an integration's items of each post type have each status, kept like type_counters in the same
// transaction as the rows (src/content/items.ts), so the admin's status filter never counts rows.
export const statusCounters = pgTable(
  'status_counters',
  {
    integrationId: int('integration_id')
      .notNull()
      .references(() => integrations.id, { onDelete: 'cascade' }),
    postType: text('post_type').notNull(),
    status: text('status').notNull(),
    n: int('n').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.integrationId, t.postType, t.status] })],
)

export const contentBodies = pgTable('content_bodies', {
  contentId: int('content_id')
    .primaryKey()
    .references(() => content.id, { onDelete: 'cascade' }),
  body: text('body').notNull(),
})
