import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { basicAuth, EXPECTED_FIXTURES, startWordPress, type WordPress } from './harness'

let wp: WordPress

beforeAll(async () => {
  wp = await startWordPress() // apt may run on a fresh machine (~40 s)
}, 180_000)

afterAll(async () => {
  await wp?.stop()
}, 60_000)

const auth = () => ({ Authorization: basicAuth(wp.adminUser, wp.appPassword) })
const total = (res: Response) => Number(res.headers.get('x-wp-total'))

describe('real WordPress test harness', () => {
  test('fixtures have the documented numbers', () => {
    const f = wp.fixtures
    expect(wp.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(wp.appPassword).toMatch(/^[A-Za-z0-9]{24}$/)
    for (const [k, v] of Object.entries(EXPECTED_FIXTURES)) expect([k, (f as any)[k]]).toEqual([k, v])
    expect(Object.keys(f.postTypes).sort()).toEqual(['page', 'post', 'product'])
    expect(Object.keys(f.taxonomies).sort()).toEqual(['category', 'post_tag', 'product_cat'])
    expect(f.postTypes.product).toEqual({ slug: 'product', label: 'Products', restBase: 'product', count: 7 })
    expect(f.taxonomies.product_cat!.hierarchical).toBe(true)
  })

  test('types?context=edit with the application password: 200, includes product', async () => {
    const res = await fetch(`${wp.url}/wp-json/wp/v2/types?context=edit`, { headers: auth() })
    expect(res.status).toBe(200)
    const types = (await res.json()) as Record<string, any>
    expect(types.product.name).toBe('Products')
    expect(types.product.viewable).toBe(true)
    expect(types.product.visibility.show_ui).toBe(true)
    expect(types.product.rest_base).toBe('product')
  })

  test('types?context=edit without auth is refused', async () => {
    const res = await fetch(`${wp.url}/wp-json/wp/v2/types?context=edit`)
    expect(res.status).toBe(401)
  })

  test('X-WP-Total of posts, pages, products equals the fixtures (drafts not counted)', async () => {
    for (const [base, want] of [
      ['posts', wp.fixtures.posts],
      ['pages', wp.fixtures.pages],
      ['product', wp.fixtures.products],
    ] as const) {
      const res = await fetch(`${wp.url}/wp-json/wp/v2/${base}?per_page=1`, { headers: auth() })
      expect([base, res.status]).toEqual([base, 200])
      expect([base, total(res)]).toEqual([base, want])
    }
  })

  test('X-WP-Total of categories, tags, product_cat equals the fixtures (empty terms included)', async () => {
    for (const [base, want] of [
      ['categories', wp.fixtures.categories],
      ['tags', wp.fixtures.tags],
      ['product_cat', wp.fixtures.productCats],
    ] as const) {
      const res = await fetch(`${wp.url}/wp-json/wp/v2/${base}?per_page=1`)
      expect([base, res.status]).toEqual([base, 200])
      expect([base, total(res)]).toEqual([base, want])
    }
    const cats = (await (await fetch(`${wp.url}/wp-json/wp/v2/categories?per_page=100`)).json()) as any[]
    expect(cats.some((c) => c.parent !== 0)).toBe(true)
    expect(cats.some((c) => c.count === 0)).toBe(true)
    expect(cats.some((c) => c.slug === 'uncategorized')).toBe(true)
  })

  test('a WRONG application password gets 401 on /users/me', async () => {
    const res = await fetch(`${wp.url}/wp-json/wp/v2/users/me?context=edit`, {
      headers: { Authorization: basicAuth(wp.adminUser, 'abcd efgh ijkl mnop qrst uvwx') },
    })
    expect(res.status).toBe(401)
    const ok = await fetch(`${wp.url}/wp-json/wp/v2/users/me?context=edit`, { headers: auth() })
    expect(ok.status).toBe(200)
    expect(((await ok.json()) as any).username).toBe(wp.adminUser)
  })

  test('?rest_route=/wp/v2/types works too', async () => {
    const res = await fetch(`${wp.url}/?rest_route=/wp/v2/types`, { headers: auth() })
    expect(res.status).toBe(200)
    const types = (await res.json()) as Record<string, any>
    expect(Object.keys(types)).toContain('product')
  })

  test('uploads are served through the router (/wp-content/*)', async () => {
    const media = (await (await fetch(`${wp.url}/wp-json/wp/v2/media/${wp.fixtures.ids.attachment}`)).json()) as any
    expect(media.source_url).toStartWith(`${wp.url}/wp-content/uploads/`)
    const img = await fetch(media.source_url)
    expect(img.status).toBe(200)
    expect(img.headers.get('content-type')).toBe('image/png')
  })

  test('wpEval runs PHP inside WordPress; changes show up over REST', async () => {
    expect((await wp.wpEval(`echo wp_count_posts('post')->publish;`)).trim()).toBe(String(wp.fixtures.posts))
    const id = Number((await wp.wpEval(`echo wp_insert_post(['post_title' => 'Made by wpEval', 'post_status' => 'publish']);`)).trim())
    expect(id).toBeGreaterThan(0)
    let res = await fetch(`${wp.url}/wp-json/wp/v2/posts?per_page=1`)
    expect(total(res)).toBe(wp.fixtures.posts + 1)
    await wp.wpEval(`wp_delete_post(${id}, true);`)
    res = await fetch(`${wp.url}/wp-json/wp/v2/posts?per_page=1`)
    expect(total(res)).toBe(wp.fixtures.posts)
    await expect(wp.wpEval(`exit(2);`)).rejects.toThrow(/exited 2/)
  })

  test('appendConfig: php -S runs the new config as soon as it returns, twice within a second too', async () => {
    const dir = (await wp.wpEval('echo IGNY8_TEST_DIR;')).trim()
    await Bun.write(
      `${dir}/mu-plugins/igny8-test-config-probe.php`,
      `<?php header('x-probe: ' . (defined('IGNY8_PROBE_2') ? 'two' : (defined('IGNY8_PROBE_1') ? 'one' : 'none')));`,
    )
    const probe = async () => (await fetch(`${wp.url}/wp-login.php`)).headers.get('x-probe')
    expect(await probe()).toBe('none')
    await wp.appendConfig(`define('IGNY8_PROBE_1', true);`)
    expect(await probe()).toBe('one')
    await wp.appendConfig(`define('IGNY8_PROBE_2', true);`)
    expect(await probe()).toBe('two')
  }, 60_000)
})
