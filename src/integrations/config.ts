// The integration's config_json: what the plugin pushed, admin overrides on top, and the effective settings both yield.
// One zod schema reads the stored JSON and is its type. Reading is lenient: a stored entry of the wrong
// shape is dropped and a wrong top-level value falls back to its default, so old or hand-edited junk
// never turns a read into a 500 and never loosens a limit (a string fetch_limit is not "no limit").
import { z } from 'zod'
import type { StructurePush } from './model'

export type TypeKind = 'post_types' | 'taxonomies'
export const TYPE_KINDS: TypeKind[] = ['post_types', 'taxonomies']

const limit = z.number().int().min(0).max(1_000_000)
const structureEntry = z.object({ label: z.string(), count: z.number().int().min(0), enabled: z.boolean(), fetch_limit: limit })
const overrideEntry = z.object({ enabled: z.boolean().optional(), fetch_limit: limit.optional() })
export type StructureEntry = z.output<typeof structureEntry>
export type Override = z.output<typeof overrideEntry>

/** A map keyed by slug that keeps the entries `entry` accepts and drops the rest; not an object → empty. */
const lenientMap = <E extends z.ZodType>(entry: E) =>
  z
    .unknown()
    .transform((v): Record<string, z.output<E>> => {
      // No prototype: a WordPress slug such as "constructor" must not find Object.prototype members.
      const out: Record<string, z.output<E>> = Object.create(null)
      if (!v || typeof v !== 'object' || Array.isArray(v)) return out
      for (const [slug, raw] of Object.entries(v)) {
        const parsed = entry.safeParse(raw)
        if (parsed.success) out[slug] = parsed.data
      }
      return out
    })
    .optional()

/** A value that must have this shape, else is treated as absent. */
const orAbsent = <S extends z.ZodType>(s: S) => s.optional().catch(undefined)

export const CONFLICT_POLICIES = ['manual', 'wordpress_wins', 'igny8_wins'] as const

export const integrationConfig = z
  .looseObject({
    content_types: orAbsent(
      z.looseObject({
        post_types: lenientMap(structureEntry),
        taxonomies: lenientMap(structureEntry),
        // The plugin's own timestamp, echoed as sent.
        last_structure_fetch: orAbsent(z.string()),
        // When this server received the last structure (its own clock): what staleness follows.
        received_at: orAbsent(z.string()),
        site_url: orAbsent(z.string()),
        wordpress_version: orAbsent(z.string()),
      }),
    ),
    plugin_connection_enabled: orAbsent(z.boolean()),
    two_way_sync_enabled: orAbsent(z.boolean()),
    // Admin choices kept apart from the plugin's values so a push never overwrites them
    // and dropping one falls back to what the plugin says.
    content_type_overrides: orAbsent(z.object({ post_types: lenientMap(overrideEntry), taxonomies: lenientMap(overrideEntry) })),
    conflict_policy: orAbsent(z.enum(CONFLICT_POLICIES)),
  })
  .catch({})
export type IntegrationConfig = z.output<typeof integrationConfig>

/**
 * Keys only the server writes (the structure push, the content-types route): a PATCH of config_json
 * may not set them. Derived from the schema, minus the keys users may set.
 */
export const USER_SETTABLE_KEYS = ['conflict_policy'] as const
export const SERVER_OWNED_KEYS: readonly string[] = Object.keys(integrationConfig.unwrap().shape).filter(
  (k) => !(USER_SETTABLE_KEYS as readonly string[]).includes(k),
)

export function parseConfig(json: string): IntegrationConfig {
  let raw: unknown
  try {
    raw = JSON.parse(json)
  } catch {
    raw = {}
  }
  return integrationConfig.parse(raw)
}

// Readers that never change the config share one parse per stored text: content-types and every content batch
// parse the same config_json again and again (~6 µs of zod each), while it changes only on a push or an override.
const PARSED_KEPT = 256
const parsed = new Map<string, Readonly<IntegrationConfig>>()

/**
 * parseConfig for readers, frozen (deeply) so that no caller can change what the next one is handed: a write would
 * throw instead of corrupting the shared copy. The newest PARSED_KEPT texts are kept, the least recently read
 * dropped first; a changed config is a new text, so a stale parse is never answered.
 */
export function readConfig(json: string): Readonly<IntegrationConfig> {
  let config = parsed.get(json)
  if (config) {
    parsed.delete(json) // re-inserted below: Map order is the recency order
  } else {
    config = deepFreeze(parseConfig(json))
    if (parsed.size >= PARSED_KEPT) parsed.delete(parsed.keys().next().value!)
  }
  parsed.set(json, config)
  return config
}

/** `value` and everything in it made read-only (for what is shared between callers). */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
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
      received_at: receivedAt,
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

/**
 * When the server received the last structure, by its own clock. Configs stored before the server
 * kept that time fall back to the plugin's timestamp, the only time they have.
 */
export function structureReceivedAt(config: IntegrationConfig): number | null {
  const at = config.content_types?.received_at ?? config.content_types?.last_structure_fetch
  const t = at ? Date.parse(at) : NaN
  return Number.isFinite(t) ? t : null
}

/**
 * Stale: the last structure push or pull was received more than 26 h ago by the server's clock (a plugin
 * whose clock is wrong must not make a site look fresh or stale). Computed on read, so it never waits
 * for the daily job.
 */
export function isStale(config: IntegrationConfig, now = Date.now()): boolean {
  const t = structureReceivedAt(config)
  return t !== null && now - t > STALE_AFTER_MS
}
