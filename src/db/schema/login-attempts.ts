// Login attempts per address and per email (src/auth/rate-limit.ts), in the database so that every node behind
// one PostgreSQL counts the same attempts.
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

export const loginAttempts = sqliteTable(
  'login_attempts',
  {
    // "ip:203.0.113.7", "ip:2001:db8:1:2::/64" or "email:someone@example.com".
    key: text('key').primaryKey(),
    // The attempts still inside the window, oldest first, as a JSON array of millisecond times (at most the key's limit).
    hitsJson: text('hits_json').notNull().default('[]'),
    // The newest attempt (ms): rows whose newest attempt left the window are pruned by it.
    lastAt: integer('last_at').notNull(),
  },
  (t) => [index('login_attempts_last_idx').on(t.lastAt)],
)
