// The sites as the admin pages show them: each visible site with its WordPress integration and a connection
// status, and one site with its integration and config. Reads only, every one through the tenancy rule.
import { and, asc, eq, sql } from 'drizzle-orm'
import type { Caller } from '../auth/caller'
import type { Db } from '../db/client'
import { integrations, sites } from '../db/schema'
import { NotFound } from '../http/errors'
import { isStale, parseConfig, type IntegrationConfig } from '../integrations/config'
import { visibleSites } from './service'

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

/** config_json's content_types.<field> as text: json_extract on SQLite, #>> on PostgreSQL. */
const contentTypesField = (db: Db, field: 'last_structure_fetch' | 'received_at') =>
  db.engine === 'postgres'
    ? sql<string | null>`(${integrations.configJson}::json #>> ${`{content_types,${field}}`})`
    : sql<string | null>`json_extract(${integrations.configJson}, ${`$.content_types.${field}`})`

/** One page of the sites the caller may see, with their status, and the counts per status over all of them. */
export async function siteOverview(db: Db, caller: Caller, page = 1, now = Date.now()): Promise<SiteOverview> {
  // Only the one field the status needs is pulled out of config_json, not the whole structure. Every row
  // is read (narrowly) because the counts cover all sites and staleness depends on the clock.
  const rows = await db
    .select({
      id: sites.id,
      name: sites.name,
      url: sites.url,
      isActive: sites.isActive,
      integrationActive: integrations.isActive,
      lastFetch: contentTypesField(db, 'last_structure_fetch'),
      receivedAt: contentTypesField(db, 'received_at'),
    })
    .from(sites)
    .leftJoin(integrations, and(eq(integrations.siteId, sites.id), eq(integrations.platform, 'wordpress')))
    .where(visibleSites(caller))
    .orderBy(asc(sites.name), asc(sites.id))
    .all()
  const counts: StatusCounts = { total: rows.length, connected: 0, never: 0, stale: 0, inactive: 0 }
  const list = rows.map((r) => {
    const config: IntegrationConfig = r.lastFetch
      ? { content_types: { last_structure_fetch: r.lastFetch, received_at: r.receivedAt ?? undefined } }
      : {}
    const status = statusOf(r.isActive, r.integrationActive ?? false, config, now)
    counts[status]++
    return { id: r.id, name: r.name, url: r.url, status, lastFetch: r.lastFetch }
  })
  // A page past the end (after sites were deleted) shows the last one.
  const current = Math.min(page, Math.max(1, Math.ceil(list.length / SITES_PAGE_SIZE)))
  const start = (current - 1) * SITES_PAGE_SIZE
  return { sites: list.slice(start, start + SITES_PAGE_SIZE), counts, page: current, pageSize: SITES_PAGE_SIZE }
}

/** A site page's subject: only the columns pages show or route by (no owner, nothing secret). */
export type SiteContext = {
  site: { id: number; name: string; url: string; isActive: boolean }
  integration: { id: number; isActive: boolean }
  config: IntegrationConfig
  status: SiteStatus
}

/** One site the caller may see with its WordPress integration; 404 for another tenant's site, as in the API. */
export async function siteContext(db: Db, caller: Caller, siteId: number, now = Date.now()): Promise<SiteContext> {
  const row = await db
    .select({
      id: sites.id,
      name: sites.name,
      url: sites.url,
      isActive: sites.isActive,
      integrationId: integrations.id,
      integrationActive: integrations.isActive,
      configJson: integrations.configJson,
    })
    .from(sites)
    .leftJoin(integrations, and(eq(integrations.siteId, sites.id), eq(integrations.platform, 'wordpress')))
    .where(and(eq(sites.id, siteId), visibleSites(caller)))
    .get()
  if (!row) throw new NotFound('Site')
  // createSite always makes one; a site without it (deleted through the API) has nothing to show.
  if (row.integrationId === null || row.integrationActive === null || row.configJson === null) throw new NotFound('WordPress integration')
  const config = parseConfig(row.configJson)
  return {
    site: { id: row.id, name: row.name, url: row.url, isActive: row.isActive },
    integration: { id: row.integrationId, isActive: row.integrationActive },
    config,
    status: statusOf(row.isActive, row.integrationActive, config, now),
  }
}
