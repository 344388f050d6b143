// PostgreSQL mirror of ../schema/login-attempts.ts, used only to generate drizzle-pg/ migrations.
import { index, pgTable } from 'drizzle-orm/pg-core'
import { int, text } from './columns'

export const loginAttempts = pgTable(
  'login_attempts',
  {
    key: text('key').primaryKey(),
    hitsJson: text('hits_json').notNull().default('[]'),
    lastAt: int('last_at').notNull(),
  },
  (t) => [index('login_attempts_last_idx').on(t.lastAt)],
)
