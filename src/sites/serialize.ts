// Wire shapes of sites and API keys.
import type { ApiKey, Site } from '../db/schema'

export const serializeSite = (s: Site) => ({
  id: s.id,
  name: s.name,
  url: s.url,
  is_active: s.isActive,
  created_at: s.createdAt,
  updated_at: s.updatedAt,
})

export const serializeApiKey = (k: Pick<ApiKey, 'id' | 'prefix' | 'name' | 'createdAt' | 'lastUsedAt'>) => ({
  id: k.id,
  prefix: k.prefix,
  name: k.name,
  created_at: k.createdAt,
  last_used_at: k.lastUsedAt,
})
