// The conflict page's word diff: LCS over words, whitespace kept, escaped output.
import { describe, expect, it } from 'bun:test'
import { diffHtml, wordDiff } from '../../views/sites/word-diff'

const join = (parts: ReturnType<typeof wordDiff>, keep: 'del' | 'ins') =>
  parts
    .filter((p) => p.op === 'same' || p.op === keep)
    .map((p) => p.text)
    .join('')

describe('wordDiff', () => {
  it('marks a replaced word in the middle and keeps the rest', () => {
    expect(wordDiff('the quick brown fox', 'the slow brown fox')).toEqual([
      { op: 'same', text: 'the ' },
      { op: 'del', text: 'quick' },
      { op: 'ins', text: 'slow' },
      { op: 'same', text: ' brown fox' },
    ])
  })

  it('finds the longest common run of words, not just a common head and tail', () => {
    const parts = wordDiff('a b c d e', 'x b c y e')
    expect(
      parts
        .filter((p) => p.op === 'same')
        .map((p) => p.text.trim())
        .filter(Boolean),
    ).toEqual(['b c', 'e'])
    expect(parts.filter((p) => p.op === 'del').map((p) => p.text)).toEqual(['a', 'd'])
    expect(parts.filter((p) => p.op === 'ins').map((p) => p.text)).toEqual(['x', 'y'])
  })

  it('shows a run of changed words as one removal and one insertion, not word by word', () => {
    expect(wordDiff('who it is for, and how', 'who should read it, and how')).toEqual([
      { op: 'same', text: 'who ' },
      { op: 'del', text: 'it is for,' },
      { op: 'ins', text: 'should read it,' },
      { op: 'same', text: ' and how' },
    ])
  })

  it('gives back both texts exactly (whitespace and newlines included)', () => {
    const a = 'Line one\n\nLine  two has   spaces\tand tabs'
    const b = 'Line one changed\n\nLine two has spaces\tand more tabs\n'
    const parts = wordDiff(a, b)
    expect(join(parts, 'del')).toBe(a)
    expect(join(parts, 'ins')).toBe(b)
  })

  it('handles empty sides', () => {
    expect(wordDiff('', 'new text')).toEqual([{ op: 'ins', text: 'new text' }])
    expect(wordDiff('old', '')).toEqual([{ op: 'del', text: 'old' }])
    expect(wordDiff('same', 'same')).toEqual([{ op: 'same', text: 'same' }])
  })

  it('falls back to whole removal and insertion past the table limit, still exact', () => {
    const a = Array.from({ length: 3000 }, (_, i) => `a${i}`).join(' ')
    const b = Array.from({ length: 3000 }, (_, i) => `b${i}`).join(' ')
    const parts = wordDiff(a, b)
    expect(join(parts, 'del')).toBe(a)
    expect(join(parts, 'ins')).toBe(b)
  })
})

describe('diffHtml', () => {
  it('escapes both sides and wraps changes in <del> and <ins>', () => {
    const out = diffHtml('<b>old</b> text', '<script>x</script> text').value
    expect(out).toBe('<del>&lt;b&gt;old&lt;/b&gt;</del><ins>&lt;script&gt;x&lt;/script&gt;</ins> text')
  })
})
