// What the admin's site pages show: each visible site with its WordPress integration and a connection
// status, and the connection details of one site. Reads only; changes go through the sites and
// integrations services, so the admin and the JSON API share one set of rules.
import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm'
import type { UserCaller } from '../auth/caller'
import type { Db } from '../db/client'
import { apiKeys, integrations, sites, type ApiKey, type Integration, type Site } from '../db/schema'
import { NotFound } from '../http/errors'
import { isStale, parseConfig, type IntegrationConfig } from '../integrations/config'
import { getVisibleSite, visibleSites } from '../sites/service'

export type SiteStatus = 'connected' | 'never' | 'stale' | 'inactive'
export type SiteSummary = { id: number; name: string; url: string; status: SiteStatus; lastFetch: string | null }
export type StatusCounts = Record<SiteStatus | 'total', number>

/** Inactive wins (the plugin is refused); then no structure yet; then older than 26 h; else connected. */
export function statusOf(siteActive: boolean, integrationActive: boolean, config: IntegrationConfig, now = Date.now()): SiteStatus {
  if (!siteActive || !integrationActive) return 'inactive'
  if (!config.content_types?.last_structure_fetch) return 'never'
  return isStale(config, now) ? 'stale' : 'connected'
}

export const SITES_PAGE_SIZE = 50

export type SiteOverview = { sites: SiteSummary[]; counts: StatusCounts; page: number; pageSize: number }

/** One page of the sites the user may see, with their status, and the counts per status over all of them. */
export function siteOverview(db: Db, caller: UserCaller, page = 1, now = Date.now()): SiteOverview {
  // Only the one field the status needs is pulled out of config_json, not the whole structure. Every row
  // is read (narrowly) because the counts cover all sites and staleness depends on the clock.
  const rows = db
    .select({
      id: sites.id,
      name: sites.name,
      url: sites.url,
      isActive: sites.isActive,
      integrationActive: integrations.isActive,
      lastFetch: sql<string | null>`json_extract(${integrations.configJson}, '$.content_types.last_structure_fetch')`,
    })
    .from(sites)
    .leftJoin(integrations, and(eq(integrations.siteId, sites.id), eq(integrations.platform, 'wordpress')))
    .where(visibleSites(caller))
    .orderBy(asc(sites.name), asc(sites.id))
    .all()
  const counts: StatusCounts = { total: rows.length, connected: 0, never: 0, stale: 0, inactive: 0 }
  const list = rows.map((r) => {
    const config: IntegrationConfig = r.lastFetch ? { content_types: { last_structure_fetch: r.lastFetch } } : {}
    const status = statusOf(r.isActive, r.integrationActive ?? false, config, now)
    counts[status]++
    return { id: r.id, name: r.name, url: r.url, status, lastFetch: r.lastFetch }
  })
  // A page past the end (after sites were deleted) shows the last one.
  const current = Math.min(page, Math.max(1, Math.ceil(list.length / SITES_PAGE_SIZE)))
  const start = (current - 1) * SITES_PAGE_SIZE
  return { sites: list.slice(start, start + SITES_PAGE_SIZE), counts, page: current, pageSize: SITES_PAGE_SIZE }
}

export type SiteContext = { site: Site; integration: Integration; config: IntegrationConfig; status: SiteStatus }

/** One visible site with its WordPress integration (404 for another tenant's site, as in the API). */
export function siteContext(db: Db, caller: UserCaller, siteId: number, now = Date.now()): SiteContext {
  const site = getVisibleSite(db, caller, siteId)
  const integration = db
    .select()
    .from(integrations)
    .where(and(eq(integrations.siteId, site.id), eq(integrations.platform, 'wordpress')))
    .get()
  // createSite always makes one; a site without it (deleted through the API) has nothing to show.
  if (!integration) throw new NotFound('WordPress integration')
  const config = parseConfig(integration.configJson)
  return { site, integration, config, status: statusOf(site.isActive, integration.isActive, config, now) }
}

/** The site's live API keys, newest first (all of them: a site has a handful). */
export const activeKeys = (db: Db, siteId: number): ApiKey[] =>
  db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.siteId, siteId), isNull(apiKeys.revokedAt)))
    .orderBy(desc(apiKeys.id))
    .all()
