// Site → Changes: the list by state, one change's page, and resolving or cancelling it (htmx swaps the change's card;
// the resolve form also works as a plain post). The work is done by the push-back services in src/changes/.
import { Elysia } from 'elysia'
import type { UserCaller } from '../../auth/caller'
import type { AdminAuth } from '../../auth/sessions'
import { pushInfo, titlesOf } from '../../changes/admin-queries'
import { cancelChange, getChange, listChanges, resolveChange } from '../../changes/manage'
import type { Choice } from '../../changes/model'
import type { AppContext } from '../../context'
import { Invalid } from '../../http/errors'
import { html, htmlResponse } from '../../http/html'
import { siteContext } from '../../sites/overview'
import { changeCard, changePage, type ResolveState } from '../../../views/sites/changes-conflict'
import { changesPage } from '../../../views/sites/changes'
import { openChangesCount } from '../../../views/sites/site-header'
import { adminGuard, viewerOf } from '../guard'
import { changeParams, changesListQuery, idParam } from '../model'
import { isHtmx, seeOther } from '../request'

const PAGE_SIZE = 50
const JSON_FIELDS = new Set(['terms', 'seo'])

/** The resolve form as the API's `{"fields": {…}}`; a custom terms or SEO value must be JSON. */
export function resolveInput(
  fields: string[],
  body: Record<string, unknown>,
): { fields: Record<string, Choice> } | { errors: Record<string, string> } {
  const out: Record<string, Choice> = {}
  const errors: Record<string, string> = {}
  for (const f of fields) {
    const choice = body[`choice_${f}`]
    const value = typeof body[`value_${f}`] === 'string' ? (body[`value_${f}`] as string) : ''
    if (choice === 'igny8' || choice === 'wordpress') out[f] = choice
    else if (choice === 'custom') {
      if (!JSON_FIELDS.has(f)) out[f] = { value }
      else
        try {
          out[f] = { value: JSON.parse(value) }
        } catch {
          errors[f] = 'Enter the value as JSON, as shown.'
        }
    } else errors[f] = 'Choose IGNY8, WordPress or a custom value.'
  }
  return Object.keys(errors).length ? { errors } : { fields: out }
}

export function siteChangesPages(ctx: AppContext) {
  const { db } = ctx
  const titleOf = async (caller: UserCaller, integrationId: number, externalId: number | null) =>
    externalId === null ? undefined : (await titlesOf(db, caller, integrationId, [externalId])).get(externalId)

  const card = async (
    auth: AdminAuth,
    caller: UserCaller,
    siteId: number,
    cid: number,
    o: { form?: ResolveState; notice?: string; status?: number } = {},
  ) => {
    const c = await siteContext(db, caller, siteId)
    const change = await getChange(db, caller, c.integration.id, cid)
    const title = await titleOf(caller, c.integration.id, change.external_id)
    // The tab's count of open changes is updated alongside the card.
    const open = (await pushInfo(db, caller, c.integration.id)).open
    return htmlResponse(html`${changeCard({ siteId, change, title, csrf: auth.session.csrfToken, ...o })}${openChangesCount(open, true)}`, {
      status: o.status,
    })
  }

  return new Elysia()
    .use(adminGuard(ctx))
    .get(
      '/sites/:id/changes',
      async ({ auth, caller, params, query }) => {
        const c = await siteContext(db, caller, params.id)
        const push = await pushInfo(db, caller, c.integration.id)
        const state = query.state || undefined
        const list = await listChanges(db, caller, c.integration.id, { page: query.page, page_size: PAGE_SIZE, state })
        const ids = [...new Set(list.results.map((r) => r.external_id).filter((x): x is number => x !== null))]
        return htmlResponse(
          changesPage({
            viewer: viewerOf(auth),
            c,
            push,
            list: {
              ...list,
              state: query.state,
              counts: push.counts,
              page: query.page,
              pageSize: PAGE_SIZE,
              titles: await titlesOf(db, caller, c.integration.id, ids),
            },
          }),
        )
      },
      { page: 'user', params: idParam, query: changesListQuery },
    )
    .get(
      '/sites/:id/changes/:cid',
      async ({ auth, caller, params }) => {
        const c = await siteContext(db, caller, params.id)
        const change = await getChange(db, caller, c.integration.id, params.cid)
        const push = await pushInfo(db, caller, c.integration.id)
        const title = await titleOf(caller, c.integration.id, change.external_id)
        return htmlResponse(changePage({ viewer: viewerOf(auth), c, push, change, title }))
      },
      { page: 'user', params: changeParams },
    )
    .post(
      '/sites/:id/changes/:cid/resolve',
      async ({ auth, caller, params, body, request }) => {
        const c = await siteContext(db, caller, params.id)
        const change = await getChange(db, caller, c.integration.id, params.cid)
        const form = (body ?? {}) as Record<string, unknown>
        const values = Object.fromEntries(Object.entries(form).filter(([k, v]) => typeof v === 'string' && k !== '_csrf')) as Record<
          string,
          string
        >
        const again = async (errors: Record<string, string>) => {
          const push = await pushInfo(db, caller, c.integration.id)
          const title = await titleOf(caller, c.integration.id, change.external_id)
          const page = isHtmx(request)
            ? changeCard({ siteId: c.site.id, change, title, csrf: auth.session.csrfToken, form: { values, errors } })
            : changePage({ viewer: viewerOf(auth), c, push, change, title, form: { values, errors } })
          return htmlResponse(page, { status: 422 })
        }
        const input = resolveInput(Object.keys(change.conflict?.fields ?? {}), form)
        if ('errors' in input) return await again(input.errors)
        try {
          await resolveChange(db, caller, c.integration.id, params.cid, input)
        } catch (e) {
          if (!(e instanceof Invalid)) throw e
          // The choices' paths are fields.<field>[.value…]; the terms check names terms.<taxonomy>.<i>. Either goes under
          // that field's choice; anything else above the form.
          const conflicting = Object.keys(change.conflict?.fields ?? {})
          const errors: Record<string, string> = {}
          for (const [path, msgs] of Object.entries(e.errors ?? {})) {
            const parts = path.split('.')
            const field = parts[0] === 'fields' ? parts[1] : parts[0]
            errors[field && conflicting.includes(field) ? field : 'form'] ??= msgs[0] ?? e.message
          }
          if (!Object.keys(errors).length) errors.form = e.message
          return await again(errors)
        }
        if (!isHtmx(request)) return seeOther(`/sites/${c.site.id}/changes/${params.cid}`)
        return await card(auth, caller, c.site.id, params.cid, { notice: 'Resolved: the change waits for delivery again.' })
      },
      { page: 'user', params: changeParams },
    )
    .delete(
      '/sites/:id/changes/:cid',
      async ({ auth, caller, params }) => {
        const c = await siteContext(db, caller, params.id)
        await cancelChange(db, caller, c.integration.id, params.cid)
        return await card(auth, caller, c.site.id, params.cid, { notice: 'Change cancelled.' })
      },
      { page: 'user', params: changeParams },
    )
}
