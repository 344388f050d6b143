// Which suites `npm test` runs a second time on PostgreSQL (IGNY8_TEST_ENGINE=postgres; see test/helpers/server.ts):
// the API, content, push-back and isolation suites. A file listed in SQLITE_ONLY is about SQLite itself and runs on
// SQLite only; every other file in these folders runs on both engines.
export const POSTGRES_SUITES = [
  'test/auth',
  'test/sites',
  'test/integrations',
  'test/content',
  'test/changes',
  'test/pull',
  'test/isolation',
  'test/http',
]

export const SQLITE_ONLY: Record<string, string> = {
  'test/content/query-plans.test.ts': "SQLite's EXPLAIN QUERY PLAN",
  'test/auth/query-plans.test.ts': "SQLite's EXPLAIN QUERY PLAN",
  'test/content/migration.test.ts': 'SQLite migrations of an existing file',
  'test/integrations/concurrency.test.ts': 'two processes on one SQLite file (test/multi-node covers PostgreSQL)',
}

/** Run beside the SQLite pass in a second process: it spends its ~2 minutes waiting for minute boundaries. */
export const BESIDE = ['test/multi-node/cron-every-minute.test.ts']
