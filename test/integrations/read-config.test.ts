// readConfig (src/integrations/config.ts): the parse of a stored config_json shared by readers that never change it.
import { describe, expect, it } from 'bun:test'
import { parseConfig, readConfig } from '../../src/integrations/config'

const config = (label: string) =>
  JSON.stringify({
    content_types: { post_types: { post: { label, count: 3, enabled: true, fetch_limit: 10 } }, taxonomies: {} },
    content_type_overrides: { post_types: { post: { fetch_limit: 5 } } },
  })

describe('readConfig', () => {
  it('answers what parseConfig answers, the same object for the same text, and a new parse for a changed text', () => {
    const text = config('Posts')
    const first = readConfig(text)
    expect(first).toEqual(parseConfig(text))
    expect(readConfig(text)).toBe(first)
    const changed = readConfig(config('Articles'))
    expect(changed).not.toBe(first)
    expect(changed.content_types?.post_types?.post?.label).toBe('Articles')
  })

  it('is frozen all the way down: a reader that writes to it throws instead of changing what the next reader gets', () => {
    const shared = readConfig(config('Frozen'))
    expect(() => {
      ;(shared.content_types!.post_types!.post as { fetch_limit: number }).fetch_limit = 999
    }).toThrow(TypeError)
    expect(() => {
      ;(shared as { plugin_connection_enabled?: boolean }).plugin_connection_enabled = false
    }).toThrow(TypeError)
    expect(readConfig(config('Frozen')).content_types?.post_types?.post?.fetch_limit).toBe(10)
  })

  it('reads junk as leniently as parseConfig', () => {
    expect(readConfig('{not json')).toEqual(parseConfig('{not json'))
    expect(readConfig('{"content_types": 5}')).toEqual(parseConfig('{"content_types": 5}'))
  })

  it('keeps a bounded number of texts, dropping the least recently read first', () => {
    const kept = readConfig(config('kept'))
    const dropped = readConfig(config('dropped'))
    for (let i = 0; i < 300; i++) {
      readConfig(config(`filler ${i}`))
      readConfig(config('kept')) // read all along: stays
    }
    expect(readConfig(config('kept'))).toBe(kept)
    const again = readConfig(config('dropped'))
    expect(again).not.toBe(dropped)
    expect(again).toEqual(dropped)
  })
})
