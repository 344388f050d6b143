// Reads a site's structure over REST the way the plugin's igny8_get_site_structure() sees it, and turns it
// into the same structure push the plugin would send.
import type { IntegrationConfig, StructureEntry } from '../integrations/config'
import type { StructurePush } from '../integrations/model'
import { PullError } from './errors'
import type { WpClient } from './wp-rest'
import { SLUG_PATTERN } from '../integrations/model'

type RestType = {
  name?: string
  slug?: string
  rest_base?: string
  rest_namespace?: string
  viewable?: boolean
  taxonomies?: string[]
  visibility?: { show_ui?: boolean }
}
type RestTaxonomy = {
  name?: string
  slug?: string
  rest_base?: string
  rest_namespace?: string
  visibility?: { public?: boolean; show_ui?: boolean }
}

export type PulledType = { slug: string; label: string; route: string; count: number; taxonomies: string[] }
export type PulledTaxonomy = { slug: string; label: string; route: string; restBase: string; count: number }
export type SiteStructure = { postTypes: PulledType[]; taxonomies: PulledTaxonomy[]; siteUrl?: string; wordpressVersion?: string }

const routeOf = (t: { rest_namespace?: string; rest_base?: string; slug?: string }, slug: string) =>
  `/${t.rest_namespace || 'wp/v2'}/${t.rest_base || slug}`
const asMap = <T>(value: unknown, what: string): Record<string, T> => {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new PullError(`WordPress sent an unexpected ${what} listing.`, 'bad_answer')
  return value as Record<string, T>
}

/** Fetches post types and taxonomies (context=edit) and counts each collection via X-WP-Total. */
export async function readStructure(client: WpClient): Promise<SiteStructure> {
  const types = asMap<RestType>((await client.get('/wp/v2/types', { context: 'edit' })).data, 'post type')
  const taxes = asMap<RestTaxonomy>((await client.get('/wp/v2/taxonomies', { context: 'edit' })).data, 'taxonomy')

  const postTypes: PulledType[] = []
  // What an admin sees in the menus: viewable (public) and show_ui; media is never synced.
  for (const [slug, t] of Object.entries(types)) {
    if (slug === 'attachment' || t.viewable !== true || t.visibility?.show_ui !== true || !SLUG_PATTERN.test(slug)) continue
    const route = routeOf(t, slug)
    postTypes.push({ slug, label: labelOf(t.name, slug), route, count: await client.total(route), taxonomies: t.taxonomies ?? [] })
  }
  const taxonomies: PulledTaxonomy[] = []
  for (const [slug, t] of Object.entries(taxes)) {
    if (t.visibility?.public !== true || t.visibility?.show_ui !== true || !SLUG_PATTERN.test(slug)) continue
    const route = routeOf(t, slug)
    taxonomies.push({ slug, label: labelOf(t.name, slug), route, restBase: t.rest_base || slug, count: await client.total(route) })
  }
  return { postTypes, taxonomies, siteUrl: await readSiteUrl(client), wordpressVersion: await client.version() }
}

const labelOf = (name: string | undefined, slug: string) => (typeof name === 'string' && name.trim() ? name.trim().slice(0, 200) : slug)

/** The site URL from the REST index; optional metadata, so any failure just leaves it out. */
async function readSiteUrl(client: WpClient): Promise<string | undefined> {
  try {
    const { data } = await client.get<{ url?: unknown }>('/', { _fields: 'url' })
    return typeof data?.url === 'string' ? data.url.slice(0, 2000) : undefined
  } catch {
    return undefined
  }
}

/** The push a plugin would send: enabled/fetch_limit as the previous structure had them, defaults for new types. */
export function toStructurePush(structure: SiteStructure, previous: IntegrationConfig, timestamp: string): StructurePush {
  const entries = (list: { slug: string; label: string; count: number }[], before: Record<string, StructureEntry> = {}) =>
    Object.fromEntries(
      list.map((t) => [
        t.slug,
        { label: t.label, count: t.count, enabled: before[t.slug]?.enabled ?? true, fetch_limit: before[t.slug]?.fetch_limit ?? 100 },
      ]),
    )
  return {
    post_types: entries(structure.postTypes, previous.content_types?.post_types),
    taxonomies: entries(structure.taxonomies, previous.content_types?.taxonomies),
    timestamp,
    ...(structure.siteUrl !== undefined && { site_url: structure.siteUrl }),
    ...(structure.wordpressVersion !== undefined && { wordpress_version: structure.wordpressVersion }),
  }
}
