// The PostgreSQL DDL twin of ../schema: pg-core tables mirroring the SQLite ones name for name, used only by
// drizzle.pg.config.ts to generate drizzle-pg/. Service code always queries ../schema, on both engines;
// test/db/schema-parity.test.ts proves the two agree.
export * from './users'
export * from './sites'
export * from './content'
export * from './sync-events'
export * from './app-state'
export * from './pull'
export * from './changes'
export * from './login-attempts'
