// Accounts, their refresh tokens (rotated in families) and admin-page sessions.
import { sql } from 'drizzle-orm'
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { flag } from './columns'

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`

export const users = sqliteTable('users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  email: text('email').notNull().unique(),
  name: text('name').notNull().default(''),
  passwordHash: text('password_hash').notNull(),
  isAdmin: flag('is_admin').notNull().default(false),
  isActive: flag('is_active').notNull().default(true),
  // Bumped by a password change or a deactivation; access tokens carry the value they were issued
  // under, so every token issued before is refused at once (no waiting for its expiry).
  tokenVersion: integer('token_version').notNull().default(0),
  createdAt: text('created_at').notNull().default(now),
  updatedAt: text('updated_at').notNull().default(now),
})

export const refreshTokens = sqliteTable(
  'refresh_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    // Every token minted by rotation from one login shares a family; reuse of a
    // rotated token revokes the whole family (stolen-token detection).
    familyId: text('family_id').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    expiresAt: integer('expires_at').notNull(),
    rotatedAt: integer('rotated_at'),
    revokedAt: integer('revoked_at'),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [
    index('refresh_tokens_family_idx').on(t.familyId),
    index('refresh_tokens_expires_idx').on(t.expiresAt),
    index('refresh_tokens_user_idx').on(t.userId),
  ],
)

export type User = typeof users.$inferSelect

export const adminSessions = sqliteTable(
  'admin_sessions',
  {
    // SHA-256 of the cookie value; the cookie itself is never stored.
    idHash: text('id_hash').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    expiresAt: integer('expires_at').notNull(),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [index('admin_sessions_user_idx').on(t.userId), index('admin_sessions_expires_idx').on(t.expiresAt)],
)
export type AdminSession = typeof adminSessions.$inferSelect
