// Every authenticated route × every bad or foreign credential: 401/403/404 in the envelope, and the victim's data untouched.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { eq, sql } from 'drizzle-orm'
import { createAccessSigner } from '../../src/auth/tokens'
import { firstRow } from '../../src/db/client'
import { apiKeys, integrations, sites } from '../../src/db/schema'
import { seedStructure, startServer, TEST_SECRET, type CallOptions, type TestServer } from '../helpers/server'

type Fixture = {
  victim: { id: number; token: string; siteId: number; keyId: number; integrationId: number }
  attacker: { token: string; siteId: number; key: string; integrationId: number }
  admin: { token: string }
  creds: Record<Cred, Record<string, string>>
}
type Cred =
  | 'no token'
  | 'a malformed token'
  | 'a JWT with a flipped signature'
  | 'a JWT re-encoded with the victim as sub'
  | 'an unsigned JWT (alg none)'
  | 'an expired JWT'
  | 'a revoked API key'
  | "another site's API key"
  | "another user's JWT"

const BAD_CREDS: Cred[] = [
  'no token',
  'a malformed token',
  'a JWT with a flipped signature',
  'a JWT re-encoded with the victim as sub',
  'an unsigned JWT (alg none)',
  'an expired JWT',
  'a revoked API key',
]
const UNAUTHENTICATED_CODE: Record<string, string> = { 'no token': 'not_authenticated', 'a revoked API key': 'invalid_api_key' }

let s: TestServer
let f: Fixture
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString())

beforeAll(async () => {
  s = await startServer()
  const [v, a, admin] = [await s.user(), await s.user(), await s.user({ admin: true })]
  const vs = await s.site(v.token, 'Victim blog')
  const as = await s.site(a.token, 'Attacker blog')
  // Give the victim a real config: a pushed structure, an override and a field of its own.
  const integ = `/api/v1/integration/integrations/${vs.integrationId}`
  expect((await s.call('POST', `${integ}/update-structure/`, { token: vs.key, body: seedStructure() })).status).toBe(200)
  expect(
    (await s.call('PATCH', `${integ}/content-types/`, { token: v.token, body: { post_types: { post: { fetch_limit: 7 } } } })).status,
  ).toBe(200)
  expect((await s.call('PATCH', `${integ}/`, { token: v.token, body: { config_json: { custom: 'victim' } } })).status).toBe(200)
  const revoked = await s.call('POST', `/api/v1/system/sites/${vs.siteId}/api-keys/`, { token: v.token, body: { name: 'old' } })
  expect((await s.call('DELETE', `/api/v1/system/sites/${vs.siteId}/api-keys/${revoked.body.data.id}/`, { token: v.token })).status).toBe(
    200,
  )

  const [vh, vp, vsig] = v.token.split('.') as [string, string, string]
  const [ah, ap, asig] = a.token.split('.') as [string, string, string]
  // Flip a character in the middle of the signature (the last one may only carry padding bits).
  const flipped = vsig.slice(0, 10) + (vsig[10] === 'A' ? 'B' : 'A') + vsig.slice(11)
  const forged = `${ah}.${b64({ ...decode(ap), sub: String(v.id) })}.${asig}`
  const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...decode(vp), sub: String(v.id) })}.`
  const signer = createAccessSigner(TEST_SECRET)
  const expired = await signer.sign({ sub: String(v.id), typ: 'access', exp: Math.floor(Date.now() / 1000) - 60 })
  // Control: the same signer with a future exp is accepted, so the 401s below are about expiry.
  const fresh = await signer.sign({ sub: String(v.id), typ: 'access', exp: Math.floor(Date.now() / 1000) + 60 })
  expect((await s.call('GET', '/api/v1/auth/me/', { token: fresh })).body.data.user.id).toBe(v.id)
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` })
  expect(decode(vh).alg).toBe('HS256')
  f = {
    victim: { id: v.id, token: v.token, siteId: vs.siteId, keyId: vs.keyId, integrationId: vs.integrationId },
    attacker: { token: a.token, siteId: as.siteId, key: as.key, integrationId: as.integrationId },
    admin: { token: admin.token },
    creds: {
      'no token': {},
      'a malformed token': bearer('not-a-token'),
      'a JWT with a flipped signature': bearer(`${vh}.${vp}.${flipped}`),
      'a JWT re-encoded with the victim as sub': bearer(forged),
      'an unsigned JWT (alg none)': bearer(unsigned),
      'an expired JWT': bearer(expired),
      'a revoked API key': bearer(revoked.body.data.key),
      "another site's API key": bearer(as.key),
      "another user's JWT": bearer(a.token),
    },
  }
}, 30_000)
afterAll(() => s.stop(), 30_000)

/** Everything of the victim's, read straight from the database, as text. */
async function victimSnapshot(): Promise<string> {
  const id = f.victim.siteId
  return JSON.stringify({
    site: await s.db.select().from(sites).where(eq(sites.id, id)).all(),
    keys: await s.db.select().from(apiKeys).where(eq(apiKeys.siteId, id)).all(),
    integrations: await s.db.select().from(integrations).where(eq(integrations.siteId, id)).all(),
    totals: await firstRow(
      s.db,
      sql`select (select count(*) from sites) s, (select count(*) from api_keys) k, (select count(*) from integrations) i, (select count(*) from sync_events) e`,
    ),
  })
}

/** One route aimed at the victim's objects; `key`/`user` say what a foreign API key or user JWT must get (undefined: not a tenancy case). */
type Route = {
  name: string
  method: string
  path: (f: Fixture) => string
  body?: (f: Fixture) => unknown
  key?: 403 | 404
  user?: 404
  noHeader?: string
}
const I = (f: Fixture) => `/api/v1/integration/integrations/${f.victim.integrationId}`
const S = (f: Fixture) => `/api/v1/system/sites/${f.victim.siteId}`
const ROUTES: Route[] = [
  // The plugin diagnoses a host that strips Authorization from this route's answer.
  { name: 'GET /auth/me/', method: 'GET', path: () => '/api/v1/auth/me/', noHeader: 'authorization_header_missing' },
  { name: 'GET /system/sites/', method: 'GET', path: () => '/api/v1/system/sites/' },
  {
    name: 'POST /system/sites/',
    method: 'POST',
    path: () => '/api/v1/system/sites/',
    body: () => ({ name: 'Mine', url: 'https://mine.example.com' }),
    key: 403,
  },
  { name: 'GET /system/sites/{id}/', method: 'GET', path: (f) => `${S(f)}/`, key: 404, user: 404 },
  {
    name: 'PATCH /system/sites/{id}/',
    method: 'PATCH',
    path: (f) => `${S(f)}/`,
    body: () => ({ name: 'pwned', is_active: false }),
    key: 403,
    user: 404,
  },
  { name: 'DELETE /system/sites/{id}/', method: 'DELETE', path: (f) => `${S(f)}/`, key: 403, user: 404 },
  {
    name: 'POST /system/sites/{id}/api-keys/',
    method: 'POST',
    path: (f) => `${S(f)}/api-keys/`,
    body: () => ({ name: 'backdoor' }),
    key: 403,
    user: 404,
  },
  { name: 'GET /system/sites/{id}/api-keys/', method: 'GET', path: (f) => `${S(f)}/api-keys/`, key: 403, user: 404 },
  {
    name: 'DELETE /system/sites/{id}/api-keys/{key_id}/',
    method: 'DELETE',
    path: (f) => `${S(f)}/api-keys/${f.victim.keyId}/`,
    key: 403,
    user: 404,
  },
  { name: 'GET /integration/integrations/', method: 'GET', path: () => '/api/v1/integration/integrations/' },
  {
    name: 'POST /integration/integrations/',
    method: 'POST',
    path: () => '/api/v1/integration/integrations/',
    body: (f) => ({ site: f.victim.siteId, platform: 'ghost' }),
    key: 403,
    user: 404,
  },
  { name: 'GET /integration/integrations/{id}/', method: 'GET', path: (f) => `${I(f)}/`, key: 404, user: 404 },
  {
    name: 'PATCH /integration/integrations/{id}/',
    method: 'PATCH',
    path: (f) => `${I(f)}/`,
    body: () => ({ is_active: false, config_json: { custom: 'pwned' } }),
    key: 403,
    user: 404,
  },
  { name: 'DELETE /integration/integrations/{id}/', method: 'DELETE', path: (f) => `${I(f)}/`, key: 403, user: 404 },
  {
    name: 'POST /integration/integrations/{id}/update-structure/',
    method: 'POST',
    path: (f) => `${I(f)}/update-structure/`,
    body: () => ({ post_types: { post: { label: 'Pwned', count: 1 } } }),
    key: 404,
    user: 404,
  },
  { name: 'GET /integration/integrations/{id}/content-types/', method: 'GET', path: (f) => `${I(f)}/content-types/`, key: 404, user: 404 },
  {
    name: 'PATCH /integration/integrations/{id}/content-types/',
    method: 'PATCH',
    path: (f) => `${I(f)}/content-types/`,
    body: () => ({ post_types: { post: { enabled: false } } }),
    key: 403,
    user: 404,
  },
]

const send = (r: Route, cred: Cred, strip = false) => {
  const path = r.path(f)
  const o: CallOptions = { headers: f.creds[cred] }
  if (r.body) o.body = r.body(f)
  return s.call(r.method, strip ? path.replace(/\/$/, '') : path, o)
}

describe('tenant matrix', () => {
  let before: string
  it('takes a snapshot of the victim first', async () => {
    before = await victimSnapshot()
    expect(JSON.parse(before).keys).toHaveLength(2)
  })

  for (const r of ROUTES) {
    describe(r.name, () => {
      for (const cred of BAD_CREDS) {
        it(`answers 401 in the envelope when called with ${cred}`, async () => {
          const res = await send(r, cred)
          expect(res.status).toBe(401)
          expect(res.body).toEqual({
            success: false,
            error: expect.any(String),
            code: (cred === 'no token' && r.noHeader) || (UNAUTHENTICATED_CODE[cred] ?? 'token_not_valid'),
          })
        })
      }
      it('answers 401 without its trailing slash too when called with no token', async () => {
        const res = await send(r, 'no token', true)
        expect(res.status).toBe(401)
        expect(res.body.code).toBe(r.noHeader ?? 'not_authenticated')
      })
      for (const [cred, status] of [
        ["another site's API key", r.key],
        ["another user's JWT", r.user],
      ] as const) {
        if (!status) continue
        it(`answers ${status} when called with ${cred}`, async () => {
          const res = await send(r, cred)
          expect(res.status).toBe(status)
          expect(res.body).toEqual({ success: false, error: expect.any(String), code: status === 403 ? 'forbidden' : 'not_found' })
        })
      }
    })
  }

  it('answers 404, not 403 or 200, when a user revokes another site’s key through their own site', async () => {
    const res = await s.call('DELETE', `/api/v1/system/sites/${f.attacker.siteId}/api-keys/${f.victim.keyId}/`, { token: f.attacker.token })
    expect(res.status).toBe(404)
    expect(res.body).toEqual({ success: false, error: expect.any(String), code: 'not_found' })
  })

  it('leaves the victim’s site, keys, integration and config_json byte-identical', async () => {
    expect(await victimSnapshot()).toBe(before)
  })
})

describe('authentication before validation', () => {
  // Invalid for every route below, so a 400 here means the body was judged before the caller was.
  const invalid = { name: 5, url: 5, site: 'x', is_active: 'x', config_json: 'x', post_types: 'x' }
  for (const r of ROUTES.filter((r) => r.body)) {
    it(`answers 401, not 400, to ${r.name} with no token and an invalid body`, async () => {
      const res = await s.call(r.method, r.path(f), { body: invalid })
      expect(res.status).toBe(401)
      expect(res.body).toEqual({ success: false, error: expect.any(String), code: 'not_authenticated' })
    })
  }
})

describe('GET /system/sites/', () => {
  it('answers a non-admin only their own sites', async () => {
    const res = await s.call('GET', '/api/v1/system/sites/', { token: f.attacker.token })
    expect(res.status).toBe(200)
    expect(res.body.count).toBe(1)
    expect(res.body.results.map((x: { id: number }) => x.id)).toEqual([f.attacker.siteId])
  })

  it('answers an admin every site, inactive ones included', async () => {
    const third = await s.user()
    const site = await s.call('POST', '/api/v1/system/sites/', {
      token: third.token,
      body: { name: 'Dormant', url: 'https://dormant.example.com' },
    })
    expect(
      (await s.call('PATCH', `/api/v1/system/sites/${site.body.data.id}/`, { token: third.token, body: { is_active: false } })).status,
    ).toBe(200)
    const res = await s.call('GET', '/api/v1/system/sites/', { token: f.admin.token })
    expect(res.status).toBe(200)
    expect(res.body.results.map((x: { id: number; is_active: boolean }) => [x.id, x.is_active])).toEqual([
      [f.victim.siteId, true],
      [f.attacker.siteId, true],
      [site.body.data.id, false],
    ])
    expect(res.body.count).toBe(3)
  })

  it('answers an API key exactly its own site', async () => {
    const res = await s.call('GET', '/api/v1/system/sites/', { token: f.attacker.key })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ success: true, count: 1, next: null, previous: null })
    expect(res.body.results).toHaveLength(1)
    expect(res.body.results[0]).toMatchObject({ id: f.attacker.siteId, name: 'Attacker blog' })
  })
})

describe('GET /integration/integrations/?site=', () => {
  // A list filtered by a site the caller cannot see answers exactly what a site that does not exist
  // answers: an empty page, so the answer never tells whether another tenant's site exists.
  const EMPTY = { success: true, count: 0, next: null, previous: null, results: [] }
  const NO_SUCH_SITE = 999_999

  it("answers the victim its own integration when filtered by its site (the filter's positive case)", async () => {
    const res = await s.call('GET', `/api/v1/integration/integrations/?site=${f.victim.siteId}&platform=wordpress`, {
      token: f.victim.token,
    })
    expect(res.status).toBe(200)
    expect(res.body.results.map((x: { id: number }) => x.id)).toEqual([f.victim.integrationId])
  })

  for (const cred of ["another site's API key", "another user's JWT"] as const) {
    for (const query of ['&platform=wordpress', '']) {
      it(`answers ${cred} 200 and an empty page for another tenant's site${query ? ' and platform' : ''}, exactly as for a site that does not exist`, async () => {
        const foreign = await s.call('GET', `/api/v1/integration/integrations/?site=${f.victim.siteId}${query}`, { headers: f.creds[cred] })
        const missing = await s.call('GET', `/api/v1/integration/integrations/?site=${NO_SUCH_SITE}${query}`, { headers: f.creds[cred] })
        expect([foreign.status, missing.status]).toEqual([200, 200])
        expect(foreign.body).toStrictEqual(EMPTY)
        expect(missing.body).toStrictEqual(foreign.body)
      })
    }
  }

  it('answers an API key only its own integration when unfiltered', async () => {
    const res = await s.call('GET', '/api/v1/integration/integrations/', { headers: f.creds["another site's API key"] })
    expect(res.status).toBe(200)
    expect(res.body.count).toBe(1)
    expect(res.body.results.map((x: { id: number; site: number }) => [x.id, x.site])).toEqual([
      [f.attacker.integrationId, f.attacker.siteId],
    ])
  })
})

describe('GET /auth/me/', () => {
  it("answers another user's JWT with that user, never the victim", async () => {
    const res = await s.call('GET', '/api/v1/auth/me/', { headers: f.creds["another user's JWT"] })
    expect(res.status).toBe(200)
    expect(res.body.data.type).toBe('user')
    expect(res.body.data.user.id).not.toBe(f.victim.id)
  })

  it("answers another site's API key with that site", async () => {
    const res = await s.call('GET', '/api/v1/auth/me/', { headers: f.creds["another site's API key"] })
    expect(res.status).toBe(200)
    expect(res.body.data).toMatchObject({ type: 'api_key', site: { id: f.attacker.siteId } })
  })
})
