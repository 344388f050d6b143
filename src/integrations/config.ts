// The integration's config_json: what the plugin pushed, admin overrides on top, and the effective settings both yield.
import type { StructurePush } from './model'

export type TypeKind = 'post_types' | 'taxonomies'
export const TYPE_KINDS: TypeKind[] = ['post_types', 'taxonomies']

export type StructureEntry = { label: string; count: number; enabled: boolean; fetch_limit: number }
export type Override = { enabled?: boolean; fetch_limit?: number }

export type IntegrationConfig = {
  content_types?: {
    post_types?: Record<string, StructureEntry>
    taxonomies?: Record<string, StructureEntry>
    last_structure_fetch?: string
    site_url?: string
    wordpress_version?: string
    [k: string]: unknown
  }
  plugin_connection_enabled?: boolean
  two_way_sync_enabled?: boolean
  // Admin choices kept apart from the plugin's values so a push never overwrites them
  // and dropping one falls back to what the plugin says.
  content_type_overrides?: { post_types?: Record<string, Override>; taxonomies?: Record<string, Override> }
  [k: string]: unknown
}

export const parseConfig = (json: string): IntegrationConfig => {
  try {
    const v = JSON.parse(json)
    return v && typeof v === 'object' && !Array.isArray(v) ? v : {}
  } catch {
    return {}
  }
}

/** Merges a structure push into the config, preserving every other field. */
export function applyStructurePush(config: IntegrationConfig, push: StructurePush, receivedAt: string): IntegrationConfig {
  const previous = config.content_types ?? {}
  const normalize = (m: StructurePush['post_types']) =>
    m &&
    Object.fromEntries(
      Object.entries(m).map(([slug, e]) => [
        slug,
        { label: e.label ?? slug, count: e.count, enabled: e.enabled, fetch_limit: e.fetch_limit },
      ]),
    )
  return {
    ...config,
    content_types: {
      ...previous,
      post_types: normalize(push.post_types) ?? previous.post_types ?? {},
      taxonomies: normalize(push.taxonomies) ?? previous.taxonomies ?? {},
      last_structure_fetch: push.timestamp ?? receivedAt,
      ...(push.site_url !== undefined && { site_url: push.site_url }),
      ...(push.wordpress_version !== undefined && { wordpress_version: push.wordpress_version }),
    },
    plugin_connection_enabled: push.plugin_connection_enabled ?? config.plugin_connection_enabled ?? true,
    two_way_sync_enabled: push.two_way_sync_enabled ?? config.two_way_sync_enabled ?? true,
  }
}

export type EffectiveType = StructureEntry & { overridden: boolean }

/** The plugin's entries with admin overrides applied: what content-types shows and what content sync obeys. */
export function effectiveTypes(config: IntegrationConfig, kind: TypeKind): Record<string, EffectiveType> {
  const reported = config.content_types?.[kind] ?? {}
  const overrides = config.content_type_overrides?.[kind] ?? {}
  // No prototype: a WordPress slug such as "constructor" must not find Object.prototype members.
  const out: Record<string, EffectiveType> = Object.create(null)
  for (const [slug, e] of Object.entries(reported)) {
    const o = Object.hasOwn(overrides, slug) ? overrides[slug]! : {}
    out[slug] = {
      label: e.label,
      count: e.count,
      enabled: o.enabled ?? e.enabled,
      fetch_limit: o.fetch_limit ?? e.fetch_limit,
      overridden: o.enabled !== undefined || o.fetch_limit !== undefined,
    }
  }
  return out
}

export const STALE_AFTER_MS = 26 * 3600_000

/** Stale: the last structure is more than 26 h old. Computed on read, so it never waits for the daily job. */
export function isStale(config: IntegrationConfig, now = Date.now()): boolean {
  const at = config.content_types?.last_structure_fetch
  if (!at) return false
  const t = Date.parse(at)
  return Number.isFinite(t) && now - t > STALE_AFTER_MS
}
