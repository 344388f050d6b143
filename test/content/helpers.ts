// Shared setup for content-sync tests: a site with the seed structure pushed.
import { seedStructure, type TestServer } from '../helpers/server'

export async function connectedSite(s: TestServer) {
  const u = await s.user()
  const site = await s.site(u.token)
  const push = await s.call('POST', `/api/v1/integration/integrations/${site.integrationId}/update-structure/`, {
    token: site.key,
    body: seedStructure(),
  })
  if (push.status !== 200) throw new Error(`push failed: ${push.text}`)
  const base = `/api/v1/integration/integrations/${site.integrationId}`
  return {
    ...site,
    user: u,
    base,
    content: (body: unknown, token = site.key) => s.call('POST', `${base}/sync-content/`, { token, body }),
    terms: (body: unknown, token = site.key) => s.call('POST', `${base}/sync-terms/`, { token, body }),
    synced: async (kind: 'post_types' | 'taxonomies', slug: string) =>
      (await s.call('GET', `${base}/content-types/`, { token: site.key })).body.data[kind][slug].synced_count as number,
  }
}

export const post = (id: number, extra: Record<string, unknown> = {}) => ({
  external_id: id,
  post_type: 'post',
  title: `Post ${id}`,
  slug: `post-${id}`,
  status: 'publish',
  url: `https://blog.example.com/post-${id}/`,
  modified_at: '2025-11-22T10:00:00Z',
  terms: { category: [12], post_tag: [40, 41] },
  ...extra,
})
