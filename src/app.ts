// Composes every feature into one Elysia app; exported for tests, started by the CLI.
import { Elysia } from 'elysia'
import { adminRoutes } from './admin'
import { renderErrorPage } from './admin/error-page'
import { adminFormLimit } from './admin/form-limit'
import { changesRoutes } from './changes'
import { contentRoutes } from './content'
import { syncLogRoutes } from './sync-log'
import { createRateLimiter } from './auth/rate-limit'
import { authRoutes } from './auth'
import { authenticateRequest } from './auth/guard'
import { createAccessSigner } from './auth/tokens'
import type { Config } from './config'
import type { AppContext } from './context'
import type { Db } from './db/client'
import { healthRoutes } from './health'
import { httpCore } from './http/core'
import { inFlightRequests } from './http/in-flight'
import { integrationsRoutes } from './integrations'
import type { Logger } from './log'
import { openapiRoutes } from './openapi'
import { pullRoutes } from './pull'
import { sitesRoutes } from './sites'
import { VERSION } from './version'

export function createContext(db: Db, config: Config, log: Logger): AppContext {
  return {
    db,
    config,
    log,
    signer: createAccessSigner(config.secret),
    loginLimiter: createRateLimiter(),
    startedAt: Date.now(),
    version: VERSION,
    inFlight: inFlightRequests(),
  }
}

export async function createApp(ctx: AppContext) {
  return new Elysia()
    .use(httpCore(ctx.log, ctx.inFlight, (request) => authenticateRequest(ctx, request), renderErrorPage, adminFormLimit(ctx)))
    .use(openapiRoutes())
    .use(await adminRoutes(ctx))
    .group('/api/v1', (api) =>
      api
        .use(healthRoutes(ctx))
        .use(authRoutes(ctx))
        .use(sitesRoutes(ctx))
        .use(integrationsRoutes(ctx))
        .use(contentRoutes(ctx))
        .use(changesRoutes(ctx))
        .use(syncLogRoutes(ctx))
        .use(pullRoutes(ctx)),
    )
}

export type App = ReturnType<typeof createApp>
