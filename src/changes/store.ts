// Row-level reads and writes of changes shared by the API, the plugin's routes and the worker.
import { and, eq, inArray } from 'drizzle-orm'
import type { Db } from '../db/client'
import { content, contentBodies, contentChanges, type ContentChange, type ContentItem } from '../db/schema'
import { NotFound } from '../http/errors'
import type { ChangeField, FieldValues } from './merge'

type Reader = Pick<Db, 'select'>

export const nowIso = () => new Date().toISOString()

/** One change of an integration, else 404 (a change of another integration is as unknown as a missing one). */
export async function changeOf(db: Reader, integrationId: number, cid: number): Promise<ContentChange> {
  const row = await db
    .select()
    .from(contentChanges)
    .where(and(eq(contentChanges.id, cid), eq(contentChanges.integrationId, integrationId)))
    .get()
  if (!row) throw new NotFound('Change')
  return row
}

/** The stored item with a WordPress id, if any. */
export async function storedItem(db: Reader, integrationId: number, externalId: number): Promise<ContentItem | undefined> {
  return await db
    .select()
    .from(content)
    .where(and(eq(content.integrationId, integrationId), eq(content.externalId, externalId)))
    .get()
}

/** The change of a post still open for more edits (`pending` or `conflict`), if any. */
export async function openChangeFor(db: Reader, integrationId: number, externalId: number): Promise<ContentChange | undefined> {
  return await db
    .select()
    .from(contentChanges)
    .where(
      and(
        eq(contentChanges.integrationId, integrationId),
        eq(contentChanges.externalId, externalId),
        inArray(contentChanges.state, ['pending', 'conflict']),
      ),
    )
    .orderBy(contentChanges.id)
    .limit(1)
    .get()
}

/** What is stored now for each of `fields` of an item: the base of a three-way merge. Terms and SEO as the change names them. */
export async function storedValues(db: Reader, item: ContentItem, fields: FieldValues): Promise<FieldValues> {
  const out: FieldValues = {}
  for (const f of Object.keys(fields) as ChangeField[]) {
    if (f === 'title' || f === 'slug' || f === 'status') out[f] = item[f]
    else if (f === 'excerpt') out.excerpt = item.excerpt ?? ''
    else if (f === 'content') {
      const row = await db.select({ body: contentBodies.body }).from(contentBodies).where(eq(contentBodies.contentId, item.id)).get()
      out.content = row?.body ?? ''
    } else if (f === 'seo') out.seo = { title: item.seoTitle, description: item.seoDescription }
    else if (f === 'terms') {
      const stored = safeParse(item.termsJson)
      const named = (fields.terms ?? {}) as Record<string, unknown>
      out.terms = Object.fromEntries(Object.keys(named).map((t) => [t, Array.isArray(stored[t]) ? stored[t] : []]))
    }
  }
  return out
}

const safeParse = (json: string): Record<string, unknown> => {
  try {
    const v = JSON.parse(json)
    return v && typeof v === 'object' ? v : {}
  } catch {
    return {}
  }
}

/** Updates one change, stamping updated_at. */
export async function setChange(db: Pick<Db, 'update'>, id: number, values: Partial<ContentChange>): Promise<ContentChange> {
  return (await db
    .update(contentChanges)
    .set({ ...values, updatedAt: nowIso() })
    .where(eq(contentChanges.id, id))
    .returning()
    .get())!
}

/** Later edits win per field; terms and SEO are maps the change names keys of, so they merge per key. */
export function mergeFields(older: FieldValues, newer: FieldValues): FieldValues {
  const out: FieldValues = { ...older }
  for (const [f, v] of Object.entries(newer) as [ChangeField, unknown][]) {
    const before = out[f]
    out[f] = (f === 'terms' || f === 'seo') && isRecord(before) && isRecord(v) ? { ...before, ...v } : v
  }
  return out
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
