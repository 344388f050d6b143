// /api/v1/openapi.json documents what the /system/sites routes answer, not only what they take.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { startServer, type TestServer } from '../helpers/server'

let s: TestServer
let paths: Record<string, Record<string, { responses?: Record<string, any> }>>
beforeAll(async () => {
  s = await startServer()
  paths = (await s.call('GET', '/api/v1/openapi.json')).body.paths
}, 30_000)
afterAll(() => s.stop(), 30_000)

const answer = (path: string, method: string, status: number) =>
  paths[`/api/v1/system/sites${path}`]?.[method]?.responses?.[String(status)]?.content?.['application/json']?.schema
const fields = (schema: any) => Object.keys(schema?.properties ?? {}).sort()

const SITE = ['created_at', 'id', 'is_active', 'name', 'updated_at', 'url']
const KEY = ['created_at', 'id', 'last_used_at', 'name', 'prefix']

describe('GET /api/v1/openapi.json for /system/sites', () => {
  it('documents the site list as the list envelope of sites', () => {
    const list = answer('/', 'get', 200)
    expect(fields(list)).toEqual(['count', 'next', 'previous', 'results', 'success'])
    expect(fields(list.properties.results.items)).toEqual(SITE)
  })

  it.each([
    ['/', 'post', 201],
    ['/{id}', 'get', 200],
    ['/{id}', 'patch', 200],
  ])('documents %s %s as %i with a site in the success envelope', (path, method, status) => {
    const body = answer(path, method, status)
    expect(fields(body)).toEqual(['data', 'success'])
    expect(fields(body.properties.data)).toEqual(SITE)
  })

  it('documents a new API key, the only answer carrying the key itself', () => {
    expect(fields(answer('/{id}/api-keys', 'post', 201).properties.data)).toEqual(['created_at', 'id', 'key', 'name', 'prefix'])
    expect(fields(answer('/{id}/api-keys', 'get', 200).properties.results.items)).toEqual(KEY)
  })

  it.each([
    ['/{id}', 'delete'],
    ['/{id}/api-keys/{keyId}', 'delete'],
  ])('documents DELETE %s as an empty success envelope', (path, method) => {
    expect(fields(answer(path, method, 200))).toEqual(['data', 'success'])
  })

  it('documents the error envelope for a site that is not there (or is another tenant’s)', () => {
    expect(fields(answer('/{id}', 'get', 404))).toEqual(expect.arrayContaining(['code', 'error', 'success']))
  })
})
