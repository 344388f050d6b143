// A small WordPress-shaped REST server on loopback for what a real WordPress will not do on demand: short pages,
// offsets that shift while a pull pages through, requests that hang. Posts and categories only, stock REST rules:
// per_page/page with X-WP-Total and X-WP-TotalPages, `include`, `status` (publish by default, `any` = all but trash),
// and 400 rest_post_invalid_page_number past the last page.

export type FakePost = { id: number; title: string; status: string }
export type FakeTerm = { id: number; name: string }
/** Called before each collection page is answered; may change the data, delay, or replace the rows sent. */
export type PageHook = (q: {
  route: 'posts' | 'categories'
  page: number
  perPage: number
  include: boolean
}) =>
  void | { rows?: (rows: unknown[]) => unknown[]; fail?: number } | Promise<void | { rows?: (rows: unknown[]) => unknown[]; fail?: number }>

export function fakeWordPress(o: { posts?: number; terms?: number } = {}) {
  const posts: FakePost[] = Array.from({ length: o.posts ?? 0 }, (_, i) => ({ id: i + 1, title: `Post ${i + 1}`, status: 'publish' }))
  const terms: FakeTerm[] = Array.from({ length: o.terms ?? 0 }, (_, i) => ({ id: 10_000 + i, name: `Term ${i + 1}` }))
  const state = {
    hook: undefined as PageHook | undefined,
    requests: [] as string[],
    hang: undefined as ((path: string) => boolean) | undefined,
    /** Milliseconds to wait before answering a path (a slow WordPress). */
    slow: undefined as ((path: string) => number) | undefined,
  }

  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      const url = new URL(req.url)
      const path = url.pathname.replace(/^\/wp-json/, '') || '/'
      state.requests.push(`${path}${url.search}`)
      if (state.hang?.(path)) return new Promise<Response>((resolve) => req.signal.addEventListener('abort', () => resolve(new Response())))
      const wait = state.slow?.(path) ?? 0
      if (wait) await Bun.sleep(wait)
      if (path === '/wp/v2/users/me') return Response.json({ id: 1, name: 'admin' })
      if (path === '/wp/v2/types')
        return Response.json({
          post: {
            name: 'Posts',
            slug: 'post',
            rest_base: 'posts',
            viewable: true,
            taxonomies: ['category'],
            visibility: { show_ui: true },
          },
        })
      if (path === '/wp/v2/taxonomies')
        return Response.json({
          category: { name: 'Categories', slug: 'category', rest_base: 'categories', visibility: { public: true, show_ui: true } },
        })
      if (path === '/wp/v2/posts') return collection('posts', url.searchParams)
      if (path === '/wp/v2/categories') return collection('categories', url.searchParams)
      if (path === '/' && !url.searchParams.has('feed')) return Response.json({ url: `http://${url.host}` })
      return new Response('not found', { status: 404 })
    },
  })

  async function collection(route: 'posts' | 'categories', q: URLSearchParams) {
    const perPage = Number(q.get('per_page') ?? 10)
    const page = Number(q.get('page') ?? 1)
    const include = q.get('include')
    const extra = await state.hook?.({ route, page, perPage, include: include !== null })
    if (extra && extra.fail) return Response.json({ code: 'internal_server_error', message: 'Broken.' }, { status: extra.fail })
    let list: { id: number }[] =
      route === 'posts' ? posts.filter((p) => (q.get('status') === 'any' ? p.status !== 'trash' : p.status === 'publish')) : terms
    if (include !== null) {
      const ids = new Set(include.split(',').map(Number))
      list = list.filter((r) => ids.has(r.id))
    }
    const totalPages = Math.ceil(list.length / perPage)
    if (page > 1 && page > totalPages)
      return Response.json(
        { code: 'rest_post_invalid_page_number', message: 'The page number requested is larger than the number of pages available.' },
        { status: 400 },
      )
    let rows: unknown[] = list.slice((page - 1) * perPage, page * perPage).map((r) => shape(route, r))
    if (extra && extra.rows) rows = extra.rows(rows)
    return Response.json(rows, { headers: { 'x-wp-total': String(list.length), 'x-wp-totalpages': String(totalPages) } })
  }

  const shape = (route: string, r: { id: number }) =>
    route === 'posts'
      ? {
          id: r.id,
          title: { rendered: (r as FakePost).title },
          slug: `post-${r.id}`,
          status: (r as FakePost).status,
          link: `http://x/${r.id}`,
          modified_gmt: '2026-01-01T00:00:00',
          categories: [],
        }
      : { id: r.id, name: (r as FakeTerm).name, slug: `term-${r.id}`, parent: 0, description: '' }

  return {
    url: `http://127.0.0.1:${server.port}`,
    posts,
    terms,
    state,
    stop: () => server.stop(true),
  }
}
export type FakeWordPress = ReturnType<typeof fakeWordPress>
