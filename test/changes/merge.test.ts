// The three-way per-field merge (contract "Conflicts (three-way, per field)"), case by case.
import { describe, expect, it } from 'bun:test'
import { type ConflictPolicy, type FieldValues, mergeChange, type MergeOutcome, sameValue } from '../../src/changes/merge'

const POLICIES: ConflictPolicy[] = ['manual', 'wordpress_wins', 'igny8_wins']
const update = (base: FieldValues, igny8: FieldValues, wordpress: FieldValues | null, policy: ConflictPolicy = 'manual') =>
  mergeChange({ kind: 'update', base, igny8, wordpress, policy })

type Case = {
  name: string
  base: FieldValues
  igny8: FieldValues
  wordpress: FieldValues | null
  want: Record<ConflictPolicy, MergeOutcome>
}
const all = (o: MergeOutcome): Record<ConflictPolicy, MergeOutcome> => ({ manual: o, wordpress_wins: o, igny8_wins: o })

const cases: Case[] = [
  {
    name: 'changed only in IGNY8 → delivered',
    base: { title: 'A' },
    igny8: { title: 'B' },
    wordpress: { title: 'A' },
    want: all({ kind: 'deliver', fields: { title: 'B' }, dropped: [], merged: false }),
  },
  {
    name: 'changed only in WordPress → WordPress kept, field dropped',
    base: { title: 'A', slug: 'a' },
    igny8: { title: 'A', slug: 'b' },
    wordpress: { title: 'W', slug: 'a' },
    want: all({ kind: 'deliver', fields: { slug: 'b' }, dropped: ['title'], merged: true }),
  },
  {
    name: 'changed on both sides to the same value → nothing to do',
    base: { status: 'draft' },
    igny8: { status: 'publish' },
    wordpress: { status: 'publish' },
    want: all({ kind: 'deliver', fields: {}, dropped: ['status'], merged: true }),
  },
  {
    name: 'changed on both sides differently → per policy',
    base: { title: 'A', excerpt: 'e' },
    igny8: { title: 'B', excerpt: 'e2' },
    wordpress: { title: 'W', excerpt: 'e' },
    want: {
      manual: { kind: 'conflict', conflicts: { title: { base: 'A', igny8: 'B', wordpress: 'W' } }, fields: { excerpt: 'e2' } },
      wordpress_wins: { kind: 'deliver', fields: { excerpt: 'e2' }, dropped: ['title'], merged: true },
      igny8_wins: { kind: 'deliver', fields: { title: 'B', excerpt: 'e2' }, dropped: [], merged: true },
    },
  },
  {
    name: 'content (block markup) changed on both sides differently → per policy',
    base: { content: '<!-- wp:paragraph --><p>a</p><!-- /wp:paragraph -->' },
    igny8: { content: '<!-- wp:paragraph --><p>ours</p><!-- /wp:paragraph -->' },
    wordpress: { content: '<!-- wp:paragraph --><p>theirs</p><!-- /wp:paragraph -->' },
    want: {
      manual: {
        kind: 'conflict',
        conflicts: {
          content: {
            base: '<!-- wp:paragraph --><p>a</p><!-- /wp:paragraph -->',
            igny8: '<!-- wp:paragraph --><p>ours</p><!-- /wp:paragraph -->',
            wordpress: '<!-- wp:paragraph --><p>theirs</p><!-- /wp:paragraph -->',
          },
        },
        fields: {},
      },
      wordpress_wins: { kind: 'deliver', fields: {}, dropped: ['content'], merged: true },
      igny8_wins: {
        kind: 'deliver',
        fields: { content: '<!-- wp:paragraph --><p>ours</p><!-- /wp:paragraph -->' },
        dropped: [],
        merged: true,
      },
    },
  },
  {
    name: 'terms compared as sets: reordered or duplicated ids in WordPress are no change there',
    base: { terms: { category: [1, 2] } },
    igny8: { terms: { category: [3] } },
    wordpress: { terms: { category: [2, 1, 1] } },
    want: all({ kind: 'deliver', fields: { terms: { category: [3] } }, dropped: [], merged: false }),
  },
  {
    name: 'terms: the same set in another order on both sides → nothing to do',
    base: { terms: { category: [1] } },
    igny8: { terms: { category: [5, 4] } },
    wordpress: { terms: { category: [4, 5] } },
    want: all({ kind: 'deliver', fields: {}, dropped: ['terms'], merged: true }),
  },
  {
    name: 'terms: only the taxonomies the change names count (a new tag in WordPress does not conflict with a category edit)',
    base: { terms: { category: [1], post_tag: [7] } },
    igny8: { terms: { category: [2] } },
    wordpress: { terms: { category: [1], post_tag: [7, 8] } },
    want: all({ kind: 'deliver', fields: { terms: { category: [2] } }, dropped: [], merged: false }),
  },
  {
    name: 'terms: an absent taxonomy equals an empty list (clearing tags WordPress never had is no change there)',
    base: { terms: {} },
    igny8: { terms: { post_tag: [] } },
    wordpress: { terms: { category: [1] } },
    want: all({ kind: 'deliver', fields: {}, dropped: ['terms'], merged: false }),
  },
  {
    name: 'terms changed on both sides differently → per policy, the conflict shows the named taxonomies only',
    base: { terms: { category: [1], post_tag: [9] } },
    igny8: { terms: { category: [2] } },
    wordpress: { terms: { category: [3], post_tag: [9] } },
    want: {
      manual: {
        kind: 'conflict',
        conflicts: { terms: { base: { category: [1] }, igny8: { category: [2] }, wordpress: { category: [3] } } },
        fields: {},
      },
      wordpress_wins: { kind: 'deliver', fields: {}, dropped: ['terms'], merged: true },
      igny8_wins: { kind: 'deliver', fields: { terms: { category: [2] } }, dropped: [], merged: true },
    },
  },
  {
    name: 'seo compared as an object: the same title and description is no change, whatever the key order',
    base: { seo: { title: 'T', description: 'D' } },
    igny8: { seo: { title: 'T2', description: 'D' } },
    wordpress: { seo: { description: 'D', title: 'T' } },
    want: all({ kind: 'deliver', fields: { seo: { title: 'T2', description: 'D' } }, dropped: [], merged: false }),
  },
  {
    name: 'seo changed on both sides differently → per policy',
    base: { seo: { title: 'T', description: 'D' } },
    igny8: { seo: { title: 'T', description: 'ours' } },
    wordpress: { seo: { title: 'T', description: 'theirs' } },
    want: {
      manual: {
        kind: 'conflict',
        conflicts: {
          seo: {
            base: { title: 'T', description: 'D' },
            igny8: { title: 'T', description: 'ours' },
            wordpress: { title: 'T', description: 'theirs' },
          },
        },
        fields: {},
      },
      wordpress_wins: { kind: 'deliver', fields: {}, dropped: ['seo'], merged: true },
      igny8_wins: { kind: 'deliver', fields: { seo: { title: 'T', description: 'ours' } }, dropped: [], merged: true },
    },
  },
  {
    name: 'seo: a change naming only the title ignores a new description in WordPress',
    base: { seo: { title: 'T', description: 'D' } },
    igny8: { seo: { title: 'T2' } },
    wordpress: { seo: { title: 'T', description: 'D2' } },
    want: all({ kind: 'deliver', fields: { seo: { title: 'T2' } }, dropped: [], merged: false }),
  },
  {
    name: 'text: null and "" are the same value (an excerpt cleared on both sides)',
    base: { excerpt: 'x' },
    igny8: { excerpt: null },
    wordpress: { excerpt: '' },
    want: all({ kind: 'deliver', fields: {}, dropped: ['excerpt'], merged: true }),
  },
  {
    name: 'a field WordPress does not report is taken as unchanged there',
    base: { seo: { title: 'T', description: '' } },
    igny8: { seo: { title: 'T2', description: '' } },
    wordpress: { title: 'A' },
    want: all({ kind: 'deliver', fields: { seo: { title: 'T2', description: '' } }, dropped: [], merged: false }),
  },
  {
    name: 'an edit back to the stored value, unchanged in WordPress → nothing to write',
    base: { title: 'A' },
    igny8: { title: 'A' },
    wordpress: { title: 'A' },
    want: all({ kind: 'deliver', fields: {}, dropped: ['title'], merged: false }),
  },
  {
    name: 'a post deleted in WordPress → gone',
    base: { title: 'A' },
    igny8: { title: 'B' },
    wordpress: null,
    want: all({ kind: 'gone', reason: 'The post was deleted in WordPress.' }),
  },
]

describe('mergeChange (update)', () => {
  for (const c of cases)
    for (const policy of POLICIES)
      it(`${c.name} [${policy}]`, () => {
        expect(update(c.base, c.igny8, c.wordpress, policy)).toEqual(c.want[policy])
      })

  it('keeps several conflicting fields and delivers the rest, under manual', () => {
    const out = update(
      { title: 'A', slug: 'a', status: 'draft' },
      { title: 'B', slug: 'b', status: 'publish' },
      { title: 'W', slug: 'w', status: 'draft' },
    )
    expect(out).toEqual({
      kind: 'conflict',
      conflicts: { title: { base: 'A', igny8: 'B', wordpress: 'W' }, slug: { base: 'a', igny8: 'b', wordpress: 'w' } },
      fields: { status: 'publish' },
    })
  })
})

describe('mergeChange (create)', () => {
  const igny8 = { title: 'New', content: '<!-- wp:paragraph --><p>x</p><!-- /wp:paragraph -->', status: 'draft' }
  for (const policy of POLICIES) {
    it(`delivers every field: there is nothing in WordPress to merge with [${policy}]`, () => {
      expect(mergeChange({ kind: 'create', base: {}, igny8, wordpress: null, postTypeExists: true, policy })).toEqual({
        kind: 'deliver',
        fields: igny8,
        dropped: [],
        merged: false,
      })
    })
    it(`is gone when its post type was removed from WordPress [${policy}]`, () => {
      expect(mergeChange({ kind: 'create', base: {}, igny8, wordpress: null, postTypeExists: false, policy })).toEqual({
        kind: 'gone',
        reason: 'The post type no longer exists in WordPress.',
      })
    })
  }
  it('is gone for an update too when the post type was removed', () => {
    expect(
      mergeChange({ kind: 'update', base: {}, igny8, wordpress: { title: 'x' }, postTypeExists: false, policy: 'igny8_wins' }).kind,
    ).toBe('gone')
  })
})

describe('sameValue', () => {
  const table: [Parameters<typeof sameValue>[0], unknown, unknown, boolean][] = [
    ['title', 'A', 'A', true],
    ['title', 'A', 'a', false],
    ['excerpt', null, '', true],
    ['excerpt', undefined, null, true],
    ['content', 'x\r\n', 'x\n', false], // bodies compare byte for byte
    ['terms', { category: [1, 2] }, { category: [2, 1] }, true],
    ['terms', { category: [1] }, { category: [1, 2] }, false],
    ['terms', { category: [1], post_tag: [] }, { category: [1] }, true],
    ['terms', null, {}, true],
    ['terms', { category: [1] }, { post_tag: [1] }, false],
    ['seo', { title: 'T', description: 'D' }, { description: 'D', title: 'T' }, true],
    ['seo', { title: 'T', description: null }, { title: 'T' }, true],
    ['seo', null, { title: '', description: '' }, true],
    ['seo', { title: 'T' }, { title: 'U' }, false],
  ]
  for (const [field, a, b, want] of table)
    it(`${field}: ${JSON.stringify(a)} vs ${JSON.stringify(b)} → ${want}`, () => {
      expect(sameValue(field, a, b)).toBe(want)
      expect(sameValue(field, b, a)).toBe(want)
    })
})
