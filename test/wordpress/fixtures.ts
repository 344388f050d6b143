// The fixtures every instance starts with: their types, the numbers they are built to have, and
// creating them (fixtures.php.ts) with a check that WordPress counts the same.
import { FIXTURES_PHP } from './fixtures.php'
import type { RunPhp } from './php-cli'

export interface PostTypeFixture {
  slug: string
  /** plural label, as REST's `name` ("Products") */
  label: string
  restBase: string
  /** published items (= X-WP-Total of /wp/v2/<restBase>) */
  count: number
}

export interface TaxonomyFixture {
  slug: string
  label: string
  restBase: string
  hierarchical: boolean
  objectTypes: string[]
  /** ALL terms, empty ones included (= X-WP-Total of /wp/v2/<restBase>) */
  count: number
}

export interface Fixtures {
  /** published posts (the draft is not counted) */
  posts: number
  draftPosts: number
  /** published pages */
  pages: number
  /** published products (custom post type `product`) */
  products: number
  draftProducts: number
  /** media items (attachment is never part of the synced structure) */
  attachments: number
  /** all category terms, incl. "Uncategorized", a child and an empty one */
  categories: number
  tags: number
  /** all product_cat terms, incl. a child */
  productCats: number
  /** every post type that is public && show_ui, except attachment (post, page, product) */
  postTypes: Record<string, PostTypeFixture>
  /** every taxonomy that is public && show_ui (category, post_tag, product_cat) */
  taxonomies: Record<string, TaxonomyFixture>
  /** ids of what was created, for content tests */
  ids: {
    adminUser: number
    posts: number[]
    draftPost: number
    pages: number[]
    products: number[]
    draftProduct: number
    attachment: number
    categories: Record<string, number>
    tags: Record<string, number>
    productCats: Record<string, number>
  }
}

/** The numbers the fixtures are built to have (the harness checks WordPress agrees). */
export const EXPECTED_FIXTURES = {
  posts: 12,
  draftPosts: 1,
  pages: 3,
  products: 7,
  draftProducts: 1,
  attachments: 1,
  categories: 6, // Uncategorized, News, Technology, AI (child of Technology), Travel, Empty Category
  tags: 6,
  productCats: 4, // Clothing, Shirts (child of Clothing), Electronics, Books
} as const

/** Runs the fixtures script; returns the Application Password and the fixtures, checked against EXPECTED_FIXTURES. */
export async function createFixtures(php: RunPhp): Promise<{ appPassword: string; fixtures: Fixtures }> {
  const fx = JSON.parse(lastJsonLine(await php(FIXTURES_PHP))) as { appPassword: string; fixtures: Fixtures }
  for (const [k, v] of Object.entries(EXPECTED_FIXTURES)) {
    const got = (fx.fixtures as unknown as Record<string, number>)[k]
    if (got !== v) throw new Error(`fixture ${k}: WordPress counts ${got}, expected ${v}`)
  }
  return fx
}

/** The result line; anything PHP printed before it (notices, plugin output) is skipped. */
function lastJsonLine(out: string): string {
  const start = out.lastIndexOf('{"appPassword"')
  if (start < 0) throw new Error(`fixtures script printed no result: ${out.slice(-500)}`)
  return out.slice(start)
}
