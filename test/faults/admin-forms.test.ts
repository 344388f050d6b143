// Hostile admin forms, property-based: the login and setup forms anonymously, and every state-changing form
// a signed-in administrator can post (with a valid CSRF token, as a plain form and as htmx) with one field
// made odd, an odd field added, or a field repeated. Never 5xx, never internals, and a refused form (4xx,
// 422 re-rendered) changes nothing in the database. FAULT_SEED=<n> replays a failure.
import { afterAll, beforeAll, describe, it } from 'bun:test'
import fc from 'fast-check'
import { login, type Session } from '../admin/client'
import { startServer, type TestServer } from '../helpers/server'
import { faultSeed } from './helpers'
import { odd } from './hostile'
import { prober, runParams } from './probe'

const RUNS = Number(process.env.FAULT_RUNS ?? 250)
const seed = faultSeed()
const params = (runs: number) => runParams(seed, runs)

let s: TestServer
let check: ReturnType<typeof prober>['check']
let statuses: Record<number, number>
beforeAll(async () => {
  s = await startServer()
  ;({ check, statuses } = prober(s))
  await s.user({ admin: true }) // past first-run setup, so /setup refuses and /login is the way in
}, 30_000)
afterAll(() => {
  console.log(`admin form fuzz (seed ${seed}): answers by status`, statuses)
  return s.stop()
}, 30_000)

describe(`anonymous admin forms (seed ${seed}; FAULT_SEED=${seed} replays)`, () => {
  it('the login, setup and site forms: odd form fields never get 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/login', '/setup', '/sites', '/account/password'),
        fc.dictionary(odd.key, odd.string, { maxKeys: 4 }),
        async (url, form) => {
          const body = new URLSearchParams(form).toString()
          await check(
            'POST',
            url,
            { 'content-type': 'application/x-www-form-urlencoded', origin: s.base },
            body,
            () => `POST ${url} ${body.slice(0, 300)}`,
          )
        },
      ),
      params(RUNS),
    )
  }, 60_000)
})

describe(`hostile forms from a signed-in administrator (seed ${seed}; FAULT_SEED=${seed} replays)`, () => {
  let admin: { session: Session; id: number }
  let own: { siteId: number; keyId: number }
  let victim: number
  // Forms that hash a password take tens of ms each: fewer runs for them.
  type Form = { name: string; url: () => string; valid: () => Record<string, string>; slow?: true }
  const forms: Form[] = [
    { name: 'POST /sites', url: () => '/sites', valid: () => ({ name: 'Fuzz', url: 'https://fuzz.example.com' }) },
    { name: 'POST /sites/{id}/keys', url: () => `/sites/${own.siteId}/keys`, valid: () => ({ name: 'k' }) },
    { name: 'POST /sites/{id}/keys/{key}/revoke', url: () => `/sites/${own.siteId}/keys/${own.keyId}/revoke`, valid: () => ({}) },
    { name: 'POST /sites/{id}/active', url: () => `/sites/${own.siteId}/active`, valid: () => ({ value: 'on' }) },
    {
      name: 'POST content-type card',
      url: () => `/sites/${own.siteId}/content-types/post_types/post`,
      valid: () => ({ enabled: '1', fetch_limit: '50' }),
    },
    {
      name: 'POST pull credentials',
      url: () => `/sites/${own.siteId}/pull/credentials`,
      valid: () => ({ wp_url: 'https://203.0.113.7', username: 'admin', app_password: 'abcd efgh ijkl mnop qrst uvwx' }),
    },
    {
      name: 'POST /users',
      url: () => '/users',
      valid: () => ({ email: 'new@example.com', name: 'N', password: 'correct horse battery', is_admin: '' }),
      slow: true,
    },
    {
      name: 'POST /users/{id}/password',
      url: () => `/users/${victim}/password`,
      valid: () => ({ password: 'another long password' }),
      slow: true,
    },
    { name: 'POST /users/{id}/admin', url: () => `/users/${victim}/admin`, valid: () => ({ value: 'off' }) },
    { name: 'POST /users/{id}/active', url: () => `/users/${victim}/active`, valid: () => ({ value: 'on' }) },
    {
      name: 'POST /account/password',
      url: () => '/account/password',
      valid: () => ({ current: 'wrong', password: 'another long password', confirm: 'another long password' }),
      slow: true,
    },
  ]

  beforeAll(async () => {
    const u = await s.user({ admin: true })
    admin = { id: u.id, session: await login(s, u.email, u.password) }
    const site = await s.site(u.token, 'Admin fuzz')
    own = { siteId: site.siteId, keyId: site.keyId }
    victim = (await s.user()).id
    if (!admin.session.csrf) throw new Error('no CSRF token on /account')
  }, 30_000)

  /** The valid form with one field made odd, one odd field added, or one field repeated (arriving as a list). */
  const mutated = (valid: Record<string, string>) => {
    const keys = Object.keys(valid)
    return fc.oneof(
      keys.length
        ? fc.record({ k: fc.constantFrom(...keys), v: odd.string }).map(({ k, v }) => Object.entries({ ...valid, [k]: v }))
        : fc.constant(Object.entries(valid)),
      fc.record({ k: odd.key, v: odd.string }).map(({ k, v }) => [...Object.entries(valid), [k, v]]),
      keys.length
        ? fc.record({ k: fc.constantFrom(...keys), v: odd.string }).map(({ k, v }) => [...Object.entries(valid), [k, v]])
        : fc.constant(Object.entries(valid)),
    )
  }

  for (const f of forms)
    it(`${f.name}: odd fields get a page or a redirect, never 5xx, and a 4xx changes nothing`, async () => {
      await fc.assert(
        fc.asyncProperty(mutated(f.valid()), fc.boolean(), async (pairs, htmx) => {
          const body = new URLSearchParams([['_csrf', admin.session.csrf], ...pairs]).toString()
          const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', cookie: admin.session.cookie }
          if (htmx) Object.assign(headers, { 'hx-request': 'true', 'x-csrf-token': admin.session.csrf })
          await check('POST', f.url(), headers, body, () => `POST ${f.url()} htmx=${htmx} ${body.slice(0, 400)}`)
        }),
        params(Math.ceil(f.slow ? RUNS / 6 : RUNS / 2)),
      )
    }, 60_000)
})
