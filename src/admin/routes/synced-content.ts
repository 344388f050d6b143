// Site → Content types → one type: the items synced for a post type (search, status filter, pages) and
// the terms synced for a taxonomy (tree order, pages). GET on a card's own URL; POST there saves the card.
import { Elysia } from 'elysia'
import type { AppContext } from '../../context'
import { htmlResponse } from '../../http/html'
import { itemResults, itemsPage } from '../../../views/sites/content-items'
import { termsPage } from '../../../views/sites/content-terms'
import { LIST_PAGE_SIZE, statusCounts, syncedItems, syncedTerms, typeContext } from '../../content/browse'
import { adminGuard, viewerOf } from '../guard'
import { listQuery, pageQuery, slugParams } from '../model'
import { wantsFragment } from '../request'

export function syncedContentPages(ctx: AppContext) {
  const { db } = ctx
  return new Elysia()
    .use(adminGuard(ctx))
    .get(
      '/sites/:id/content-types/post_types/:slug',
      async ({ auth, caller, params, query, request }) => {
        const { c, type } = await typeContext(db, caller, params.id, 'post_types', params.slug)
        const list = {
          siteId: c.site.id,
          slug: params.slug,
          q: query,
          pageSize: LIST_PAGE_SIZE,
          ...(await syncedItems(db, caller, c.integration.id, params.slug, query)),
        }
        // The search box asks for the results alone; the same fragment sits inside the full page.
        if (wantsFragment(request)) return htmlResponse(itemResults(list))
        const statuses = await statusCounts(db, caller, c.integration.id, params.slug)
        return htmlResponse(itemsPage({ viewer: viewerOf(auth), c, type, statuses, list }))
      },
      { page: 'user', params: slugParams, query: listQuery },
    )
    .get(
      '/sites/:id/content-types/taxonomies/:slug',
      async ({ auth, caller, params, query }) => {
        const { c, type } = await typeContext(db, caller, params.id, 'taxonomies', params.slug)
        const list = await syncedTerms(db, caller, c.integration.id, params.slug, query.page)
        return htmlResponse(termsPage({ viewer: viewerOf(auth), c, type, slug: params.slug, pageSize: LIST_PAGE_SIZE, ...list }))
      },
      { page: 'user', params: slugParams, query: pageQuery },
    )
}
