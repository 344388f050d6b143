// PostgreSQL mirror of ../schema/sites.ts, used only to generate drizzle-pg/ migrations.
import { boolean, index, pgTable, uniqueIndex } from 'drizzle-orm/pg-core'
import { id, int, now, text } from './columns'
import { users } from './users'

export const sites = pgTable(
  'sites',
  {
    id: id(),
    ownerId: int('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    url: text('url').notNull(),
    isActive: boolean('is_active').notNull().default(true),
    createdAt: text('created_at').notNull().default(now),
    updatedAt: text('updated_at').notNull().default(now),
  },
  (t) => [index('sites_owner_idx').on(t.ownerId)],
)

export const apiKeys = pgTable(
  'api_keys',
  {
    id: id(),
    siteId: int('site_id')
      .notNull()
      .references(() => sites.id, { onDelete: 'cascade' }),
    name: text('name').notNull().default(''),
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull().unique(),
    createdAt: text('created_at').notNull().default(now),
    lastUsedAt: text('last_used_at'),
    revokedAt: text('revoked_at'),
  },
  (t) => [index('api_keys_site_idx').on(t.siteId)],
)

export const integrations = pgTable(
  'integrations',
  {
    id: id(),
    siteId: int('site_id')
      .notNull()
      .references(() => sites.id, { onDelete: 'cascade' }),
    platform: text('platform').notNull(),
    isActive: boolean('is_active').notNull().default(true),
    configJson: text('config_json').notNull().default('{}'),
    createdAt: text('created_at').notNull().default(now),
    updatedAt: text('updated_at').notNull().default(now),
  },
  (t) => [uniqueIndex('integrations_site_platform_uq').on(t.siteId, t.platform)],
)
