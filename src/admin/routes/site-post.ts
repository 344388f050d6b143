// Site → a synced post (its fields, body, edit form and changes) and the new-post form of a post type. Saving calls
// the push-back services (the same as PATCH …/content/{id}/ and POST …/content/) and shows the change it made.
import { Elysia } from 'elysia'
import type { UserCaller } from '../../auth/caller'
import type { AdminAuth } from '../../auth/sessions'
import { changesOfItem, pushInfo, taxonomyChoices } from '../../changes/admin-queries'
import { createContent, editContent } from '../../changes/edit'
import { getChange } from '../../changes/manage'
import { getContentItem } from '../../content/item'
import { typeContext } from '../../content/browse'
import type { AppContext } from '../../context'
import { Invalid } from '../../http/errors'
import { htmlResponse } from '../../http/html'
import { siteContext } from '../../sites/overview'
import type { FieldErrors } from '../../../views/components'
import type { PostFormValues } from '../../../views/sites/post-form'
import { newPostPage, postPage, type PostView } from '../../../views/sites/post'
import { adminGuard, viewerOf } from '../guard'
import { pageQuery, postParams, slugParams } from '../model'
import { seeOther } from '../request'
import { createBody, editBody, formKey, issuesByField, parseCreate, parseEdit, submitted } from './site-post-forms'

const NOTICES: Record<string, string> = {
  saved: 'Change saved: it waits for delivery to WordPress.',
}

/** What the edit form shows: the stored post with an open change's fields laid over it. */
function shownValues(item: PostView, fields: Record<string, unknown> = {}): PostFormValues {
  const seo = (fields.seo ?? {}) as { title?: string | null; description?: string | null }
  const pick = (k: string, stored: string) => (typeof fields[k] === 'string' ? (fields[k] as string) : stored)
  return {
    title: pick('title', item.title),
    slug: pick('slug', item.slug),
    status: pick('status', item.status),
    excerpt: pick('excerpt', item.excerpt ?? ''),
    content: pick('content', item.content ?? ''),
    seo_title: (seo.title !== undefined ? seo.title : item.seo.title) ?? '',
    seo_description: (seo.description !== undefined ? seo.description : item.seo.description) ?? '',
    terms: { ...item.terms, ...((fields.terms ?? {}) as Record<string, number[]>) },
  }
}

/** A service's validation refusal as messages per form field; anything else is rethrown (error page or toast). */
function refusal(e: unknown): FieldErrors {
  if (!(e instanceof Invalid)) throw e
  const errors: FieldErrors = {}
  for (const [path, msgs] of Object.entries(e.errors ?? {})) errors[formKey(path)] ??= msgs[0] ?? e.message
  if (!Object.keys(errors).length) errors.form = e.message
  return errors
}

export function sitePostPages(ctx: AppContext) {
  const { db } = ctx

  const postView = async (
    auth: AdminAuth,
    caller: UserCaller,
    siteId: number,
    externalId: number,
    o: { values?: PostFormValues; errors?: FieldErrors; notice?: string; status?: number } = {},
  ) => {
    const c = await siteContext(db, caller, siteId)
    const item = await getContentItem(db, caller, c.integration.id, externalId)
    const open = item.pending_change === null ? undefined : await getChange(db, caller, c.integration.id, item.pending_change)
    const taxonomies = await taxonomyChoices(db, caller, c.integration.id, item.post_type)
    const page = postPage({
      viewer: viewerOf(auth),
      c,
      push: await pushInfo(db, caller, c.integration.id),
      item,
      taxonomies,
      form: { values: o.values ?? shownValues(item, open?.fields), errors: o.errors, base: item.modified_at },
      open,
      // Other fields and the form's encoding need room too; a body near the limit would be refused on save.
      history: await changesOfItem(db, caller, c.integration.id, externalId),
      notice: o.notice,
    })
    return htmlResponse(page, { status: o.status })
  }

  return new Elysia()
    .use(adminGuard(ctx))
    .get(
      '/sites/:id/content/:external_id',
      async ({ auth, caller, params, query }) =>
        await postView(auth, caller, params.id, params.external_id, { notice: query.m ? NOTICES[query.m] : undefined }),
      { page: 'user', params: postParams, query: pageQuery },
    )
    .post(
      '/sites/:id/content/:external_id',
      async ({ auth, caller, params, body }) => {
        const c = await siteContext(db, caller, params.id)
        const item = await getContentItem(db, caller, c.integration.id, params.external_id)
        const open = item.pending_change === null ? undefined : await getChange(db, caller, c.integration.id, item.pending_change)
        const form = (body ?? {}) as Record<string, unknown>
        const taxonomies = await taxonomyChoices(db, caller, c.integration.id, item.post_type)
        const values = submitted(form, taxonomies)
        const again = async (errors: FieldErrors) =>
          await postView(auth, caller, params.id, params.external_id, { values, errors, status: 422 })
        const base = typeof form.base_modified_at === 'string' ? form.base_modified_at : ''
        // The form's changes are worked out against what it showed; a post WordPress changed since shows other values.
        if (base !== (item.modified_at ?? ''))
          return await again({ form: 'This post changed in WordPress since the form was opened. Reload the page and edit again.' })
        const patch = editBody(values, shownValues(item, open?.fields), base)
        if (!patch) return await again({ form: 'Nothing changed: edit a field before saving.' })
        const parsed = parseEdit(patch)
        if (!parsed.success) return await again(issuesByField(parsed.error.issues))
        try {
          await editContent(db, caller, c.integration.id, params.external_id, parsed.data)
        } catch (e) {
          return await again(refusal(e))
        }
        return seeOther(`/sites/${c.site.id}/content/${params.external_id}?m=saved`)
      },
      { page: 'user', params: postParams },
    )
    .get(
      '/sites/:id/content-types/post_types/:slug/new',
      async ({ auth, caller, params }) => {
        const { c, type } = await typeContext(db, caller, params.id, 'post_types', params.slug)
        const values: PostFormValues = {
          title: '',
          slug: '',
          status: 'draft',
          excerpt: '',
          content: '',
          seo_title: '',
          seo_description: '',
          terms: {},
        }
        return htmlResponse(
          newPostPage({
            viewer: viewerOf(auth),
            c,
            push: await pushInfo(db, caller, c.integration.id),
            slug: params.slug,
            label: type.label,
            taxonomies: await taxonomyChoices(db, caller, c.integration.id, params.slug),
            values,
          }),
        )
      },
      { page: 'user', params: slugParams },
    )
    .post(
      '/sites/:id/content-types/post_types/:slug/new',
      async ({ auth, caller, params, body }) => {
        const { c, type } = await typeContext(db, caller, params.id, 'post_types', params.slug)
        const taxonomies = await taxonomyChoices(db, caller, c.integration.id, params.slug)
        const values = submitted((body ?? {}) as Record<string, unknown>, taxonomies)
        const again = async (errors: FieldErrors) =>
          htmlResponse(
            newPostPage({
              viewer: viewerOf(auth),
              c,
              push: await pushInfo(db, caller, c.integration.id),
              slug: params.slug,
              label: type.label,
              taxonomies,
              values,
              errors,
            }),
            { status: 422 },
          )
        if (!values.title.trim()) return await again({ title: 'This field is required.' })
        const parsed = parseCreate(createBody(values, params.slug))
        if (!parsed.success) return await again(issuesByField(parsed.error.issues))
        let cid: number
        try {
          cid = (await createContent(db, caller, c.integration.id, parsed.data)).id
        } catch (e) {
          return await again(refusal(e))
        }
        return seeOther(`/sites/${c.site.id}/changes/${cid}`)
      },
      { page: 'user', params: slugParams },
    )
}
