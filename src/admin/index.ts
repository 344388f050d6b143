// The admin pages (server-rendered, htmx-enhanced), mounted at the site root: first-run setup, login,
// account, users, sites with their connection, content types, synced items and terms, sync log, the
// WordPress plugin download and the static files.
import { Elysia } from 'elysia'
import type { AppContext } from '../context'
import { assetRoutes } from './assets'
import { authPages } from './routes/auth'
import { pluginPages } from './routes/plugin'
import { siteChangesPages } from './routes/site-changes'
import { siteContentPages } from './routes/site-content'
import { sitePostPages } from './routes/site-post'
import { sitePullPages } from './routes/site-pull'
import { sitePages } from './routes/sites'
import { syncedContentPages } from './routes/synced-content'
import { userPages } from './routes/users'
import { initSetupToken } from './setup'

export async function adminRoutes(ctx: AppContext) {
  // Built once per app: with no user yet, this is where the one-time setup token is made and logged.
  await initSetupToken(ctx)
  return new Elysia()
    .use(assetRoutes())
    .use(authPages(ctx))
    .use(sitePages(ctx))
    .use(siteContentPages(ctx))
    .use(syncedContentPages(ctx))
    .use(sitePullPages(ctx))
    .use(sitePostPages(ctx))
    .use(siteChangesPages(ctx))
    .use(userPages(ctx))
    .use(pluginPages(ctx))
}
