// PostgreSQL mirror of ../schema/app-state.ts, used only to generate drizzle-pg/ migrations.
import { pgTable } from 'drizzle-orm/pg-core'
import { text } from './columns'

export const appState = pgTable('app_state', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
})
