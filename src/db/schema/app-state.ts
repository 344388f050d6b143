// Small server-wide facts that must survive restarts (when the data dir was created, the last daily job run).
import { sqliteTable, text } from 'drizzle-orm/sqlite-core'

export const appState = sqliteTable('app_state', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
})
