// The one source of truth for table shapes; drizzle-kit generates migrations from it.
export * from './users'
export * from './sites'
export * from './content'
export * from './sync-events'
export * from './app-state'
export * from './pull'
export * from './changes'
export * from './login-attempts'
