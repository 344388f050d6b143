// What every feature module is built with: the database, configuration, logger and shared services.
import type { Config } from './config'
import type { Db } from './db/client'
import type { InFlight } from './http/in-flight'
import type { Logger } from './log'
import type { AccessSigner } from './auth/tokens'
import type { RateLimiter } from './auth/rate-limit'

export type AppContext = {
  db: Db
  config: Config
  log: Logger
  signer: AccessSigner
  loginLimiter: RateLimiter
  startedAt: number
  version: string
  /** The requests being handled (serve waits for them before it closes the database). */
  inFlight: InFlight
}
