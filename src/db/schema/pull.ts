// Credentials for pulling from a stock WordPress REST API; the Application Password is stored encrypted.
import { sql } from 'drizzle-orm'
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { flag } from './columns'
import { integrations } from './sites'

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`

export const pullCredentials = sqliteTable('pull_credentials', {
  integrationId: integer('integration_id')
    .primaryKey()
    .references(() => integrations.id, { onDelete: 'cascade' }),
  wpUrl: text('wp_url').notNull(),
  username: text('username').notNull(),
  // AES-256-GCM: base64url(iv).base64url(ciphertext+tag), key derived from the server secret.
  appPasswordEnc: text('app_password_enc').notNull(),
  includeContent: flag('include_content').notNull().default(false),
  createdAt: text('created_at').notNull().default(now),
  updatedAt: text('updated_at').notNull().default(now),
})
export type PullCredentials = typeof pullCredentials.$inferSelect
