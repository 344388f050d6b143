// PostgreSQL mirror of ../schema/pull.ts, used only to generate drizzle-pg/ migrations.
import { boolean, pgTable } from 'drizzle-orm/pg-core'
import { int, now, text } from './columns'
import { integrations } from './sites'

export const pullCredentials = pgTable('pull_credentials', {
  integrationId: int('integration_id')
    .primaryKey()
    .references(() => integrations.id, { onDelete: 'cascade' }),
  wpUrl: text('wp_url').notNull(),
  username: text('username').notNull(),
  appPasswordEnc: text('app_password_enc').notNull(),
  includeContent: boolean('include_content').notNull().default(false),
  createdAt: text('created_at').notNull().default(now),
  updatedAt: text('updated_at').notNull().default(now),
})
