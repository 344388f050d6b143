// PostgreSQL mirror of ../schema/users.ts, used only to generate drizzle-pg/ migrations.
import { boolean, index, pgTable } from 'drizzle-orm/pg-core'
import { id, int, now, text } from './columns'

export const users = pgTable('users', {
  id: id(),
  email: text('email').notNull().unique(),
  name: text('name').notNull().default(''),
  passwordHash: text('password_hash').notNull(),
  isAdmin: boolean('is_admin').notNull().default(false),
  isActive: boolean('is_active').notNull().default(true),
  tokenVersion: int('token_version').notNull().default(0),
  createdAt: text('created_at').notNull().default(now),
  updatedAt: text('updated_at').notNull().default(now),
})

export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: id(),
    userId: int('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    familyId: text('family_id').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    // Milliseconds since the epoch.
    expiresAt: int('expires_at').notNull(),
    rotatedAt: int('rotated_at'),
    revokedAt: int('revoked_at'),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [
    index('refresh_tokens_family_idx').on(t.familyId),
    index('refresh_tokens_expires_idx').on(t.expiresAt),
    index('refresh_tokens_user_idx').on(t.userId),
  ],
)

export const adminSessions = pgTable(
  'admin_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    userId: int('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    // Milliseconds since the epoch.
    expiresAt: int('expires_at').notNull(),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [index('admin_sessions_user_idx').on(t.userId), index('admin_sessions_expires_idx').on(t.expiresAt)],
)
