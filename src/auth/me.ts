// What GET /auth/me answers: the user, or the site an API key is bound to.
import { eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { sites } from '../db/schema'
import { serializeSite } from '../sites/serialize'
import type { Caller } from './caller'

export async function describeCaller(db: Db, caller: Caller) {
  if (caller.kind === 'user') {
    const u = caller.user
    return { type: 'user', user: { id: u.id, email: u.email, name: u.name, is_admin: u.isAdmin } }
  }
  const site = (await db.select().from(sites).where(eq(sites.id, caller.siteId)).get())!
  return { type: 'api_key', api_key_id: caller.keyId, site: serializeSite(site) }
}
