// drizzle-kit config for the PostgreSQL migrations (drizzle-pg/), generated from the pg-core mirror of the schema.
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/pg-schema/index.ts',
  out: './drizzle-pg',
})
