// /api/v1/openapi.json documents what the integrations, content and sync-log routes answer, not only what they take.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { startServer, type TestServer } from '../helpers/server'

let s: TestServer
let doc: any
beforeAll(async () => {
  s = await startServer()
  doc = (await s.call('GET', '/api/v1/openapi.json')).body
})
afterAll(() => s.stop())

const I = '/api/v1/integration/integrations'
const schemaOf = (path: string, method: string, status: string) =>
  doc.paths[path]?.[method]?.responses?.[status]?.content?.['application/json']?.schema

describe('GET /api/v1/openapi.json', () => {
  it('documents the content-types answer field by field', () => {
    const data = schemaOf(`${I}/{id}/content-types`, 'get', '200')?.properties?.data
    expect(data?.properties?.post_types?.additionalProperties?.properties).toMatchObject({
      label: { type: 'string' },
      count: { type: 'integer' },
      synced_count: { type: 'integer' },
      enabled: { type: 'boolean' },
      fetch_limit: { type: 'integer' },
    })
    expect(Object.keys(data?.properties ?? {})).toEqual(
      expect.arrayContaining([
        'post_types',
        'taxonomies',
        'last_structure_fetch',
        'plugin_connection_enabled',
        'two_way_sync_enabled',
        'stale',
      ]),
    )
  })

  const routes: [string, string, string, string[]][] = [
    [`${I}/`, 'get', '200', ['count', 'next', 'previous', 'results']],
    [`${I}/`, 'post', '201', ['data']],
    [`${I}/{id}`, 'get', '200', ['data']],
    [`${I}/{id}`, 'patch', '200', ['data']],
    [`${I}/{id}`, 'delete', '200', ['data']],
    [`${I}/{id}/update-structure`, 'post', '200', ['data']],
    [`${I}/{id}/content-types`, 'patch', '200', ['data']],
    [`${I}/{id}/sync-content`, 'post', '200', ['data']],
    [`${I}/{id}/sync-terms`, 'post', '200', ['data']],
    [`${I}/{id}/content`, 'get', '200', ['results']],
    [`${I}/{id}/terms`, 'get', '200', ['results']],
    [`${I}/{id}/sync-events`, 'get', '200', ['results']],
    ['/api/v1/sync-events', 'get', '200', ['results']],
  ]
  for (const [path, method, status, keys] of routes) {
    it(`documents ${method.toUpperCase()} ${path}: its ${status} answer and the error envelope`, () => {
      const schema = schemaOf(path, method, status)
      expect(Object.keys(schema?.properties ?? {})).toEqual(expect.arrayContaining(['success', ...keys]))
      expect(schemaOf(path, method, '401')?.properties?.code).toEqual({ type: 'string' })
    })
  }
})
