// planPushes (src/integrations/push-plan.ts): a push planned over the config another push was planned to starts from
// the kept object when the stored text is the one planned, so that object must be what parsing the text would give.
import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import type { Integration, Site } from '../../src/db/schema'
import { applyStructurePush, parseConfig } from '../../src/integrations/config'
import { updateStructureBody } from '../../src/integrations/model'
import { planPushes, type PushRequest } from '../../src/integrations/push-plan'

const site: Site = { id: 1, ownerId: 1, name: 'Blog', url: 'https://blog.example', isActive: true, createdAt: '', updatedAt: '' }
const row = (id: number, configJson: string) => ({
  integration: { id, siteId: 1, platform: 'wordpress', isActive: true, configJson, createdAt: '', updatedAt: '' } as Integration,
  site,
})
const request = (push: unknown): PushRequest => ({
  caller: null,
  push: updateStructureBody.parse(push),
  source: 'plugin',
  started: new Date(),
})

const slug = fc.stringMatching(/^[a-z0-9_-]{1,12}$/)
const entry = fc.record(
  {
    label: fc.string({ minLength: 1, maxLength: 20 }),
    count: fc.nat(),
    enabled: fc.boolean(),
    fetch_limit: fc.integer({ min: 0, max: 1_000_000 }),
  },
  { requiredKeys: ['count'] },
)
const typeMap = fc.dictionary(slug, entry, { maxKeys: 5 })
const push = fc
  .record(
    {
      post_types: typeMap,
      taxonomies: typeMap,
      plugin_connection_enabled: fc.boolean(),
      two_way_sync_enabled: fc.boolean(),
      site_url: fc.string({ maxLength: 30 }),
      wordpress_version: fc.string({ maxLength: 10 }),
    },
    { requiredKeys: [] },
  )
  .filter((p) => p.post_types !== undefined || p.taxonomies !== undefined)
// A stored config as an admin and older versions may have left it: overrides, user keys, junk the parse drops.
const stored = fc.record(
  {
    content_type_overrides: fc.record({
      post_types: fc.dictionary(slug, fc.record({ enabled: fc.boolean() })),
      taxonomies: fc.constant({}),
    }),
    conflict_policy: fc.constantFrom('manual', 'wordpress_wins', 'igny8_wins', 'bogus'),
    admin_note: fc.string({ maxLength: 20 }),
    content_types: fc.oneof(fc.constant(5), fc.record({ post_types: fc.dictionary(slug, fc.oneof(entry, fc.string())) })),
  },
  { requiredKeys: [] },
)

describe('planPushes', () => {
  it('plans to a config that parsing its own text gives back', () => {
    fc.assert(
      fc.property(stored, fc.array(push, { minLength: 1, maxLength: 3 }), (base, pushes) => {
        let config = parseConfig(JSON.stringify(base))
        for (const p of pushes) {
          const valid = updateStructureBody.safeParse(p)
          fc.pre(valid.success) // what the route refuses (a `__proto__` slug) is never planned
          config = applyStructurePush(config, valid.data!, new Date().toISOString())
          expect(parseConfig(JSON.stringify(config))).toEqual(config)
        }
      }),
      { numRuns: 300 },
    )
  })

  it('starts from the config it planned when that text is stored, and parses any other text', () => {
    const first = planPushes(7001, row(7001, JSON.stringify({ admin_note: 'kept' })), [request({ post_types: { post: { count: 1 } } })])
    const text = first.stored!.configJson
    const planned = first.outcomes[0]!
    expect(planned.ok && Object.isFrozen(planned.value)).toBe(true)

    const next = planPushes(7001, row(7001, text), [request({ taxonomies: { category: { count: 2 } } })])
    const after = JSON.parse(next.stored!.configJson)
    expect(after.admin_note).toBe('kept')
    expect(Object.keys(after.content_types.post_types)).toEqual(['post'])
    expect(Object.keys(after.content_types.taxonomies)).toEqual(['category'])

    // Another text under the same id (an admin's PATCH since, another database): its own content, not the kept one.
    const other = planPushes(7001, row(7001, JSON.stringify({ admin_note: 'other' })), [request({ taxonomies: {} })])
    expect(JSON.parse(other.stored!.configJson).admin_note).toBe('other')
    expect(JSON.parse(other.stored!.configJson).content_types.post_types).toEqual({})
  })
})
