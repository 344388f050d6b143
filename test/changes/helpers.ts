// Shared setup for push-back tests: a site with the seed structure, terms and posts stored, and call shortcuts.
import { seedStructure, type TestServer } from '../helpers/server'

export const post = (id: number, extra: Record<string, unknown> = {}) => ({
  external_id: id,
  post_type: 'post',
  title: `Post ${id}`,
  slug: `post-${id}`,
  status: 'publish',
  url: `https://blog.example.com/post-${id}/`,
  modified_at: '2025-11-22T10:00:00Z',
  terms: { category: [12], post_tag: [40] },
  ...extra,
})

/** A user's site with structure, terms (category 12, 13; post_tag 40, 41) and posts 1..3 stored. */
export async function editableSite(s: TestServer) {
  const u = await s.user()
  const site = await s.site(u.token)
  const base = `/api/v1/integration/integrations/${site.integrationId}`
  const must = async (p: Promise<{ status: number; text: string }>) => {
    const r = await p
    if (r.status !== 200) throw new Error(`setup failed: ${r.status} ${r.text}`)
  }
  await must(s.call('POST', `${base}/update-structure/`, { token: site.key, body: seedStructure() }))
  await must(
    s.call('POST', `${base}/sync-terms/`, {
      token: site.key,
      body: {
        terms: [
          { external_id: 12, taxonomy: 'category', name: 'News', slug: 'news', parent: 0 },
          { external_id: 13, taxonomy: 'category', name: 'Tips', slug: 'tips', parent: 0 },
          { external_id: 40, taxonomy: 'post_tag', name: 'a', slug: 'a', parent: 0 },
          { external_id: 41, taxonomy: 'post_tag', name: 'b', slug: 'b', parent: 0 },
        ],
      },
    }),
  )
  await must(s.call('POST', `${base}/sync-content/`, { token: site.key, body: { items: [post(1), post(2), post(3)] } }))
  const as = (token: string) => ({
    patch: (id: number, body: unknown) => s.call('PATCH', `${base}/content/${id}/`, { token, body }),
    create: (body: unknown) => s.call('POST', `${base}/content/`, { token, body }),
    list: (q = '') => s.call('GET', `${base}/changes/${q}`, { token }),
    get: (cid: number) => s.call('GET', `${base}/changes/${cid}/`, { token }),
    cancel: (cid: number) => s.call('DELETE', `${base}/changes/${cid}/`, { token }),
    resolve: (cid: number, fields: unknown) => s.call('POST', `${base}/changes/${cid}/resolve/`, { token, body: { fields } }),
    pending: () => s.call('GET', `${base}/changes/pending/`, { token }),
    result: (cid: number, body: unknown) => s.call('POST', `${base}/changes/${cid}/result/`, { token, body }),
    endpoint: (url: string) => s.call('PUT', `${base}/plugin-endpoint/`, { token, body: { url } }),
    sync: (items: unknown[]) => s.call('POST', `${base}/sync-content/`, { token, body: { items } }),
    item: (id: number) => s.call('GET', `${base}/content/${id}/`, { token }),
  })
  return { ...site, user: u, base, userApi: as(u.token), plugin: as(site.key) }
}
export type EditableSite = Awaited<ReturnType<typeof editableSite>>
