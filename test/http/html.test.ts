// The html tag: escapes every interpolation, and renders the values JSX leaves out as nothing.
import { describe, expect, it } from 'bun:test'
import { html, raw } from '../../src/http/html'

describe('html', () => {
  it.each([
    ['true as nothing', true, ''],
    ['false as nothing', false, ''],
    ['null as nothing', null, ''],
    ['undefined as nothing', undefined, ''],
    ['0 as text', 0, '0'],
    ['a number as text', 12.5, '12.5'],
    ['a string escaped', 'a & b', 'a &amp; b'],
  ])('renders %s', (_name, value, out) => {
    expect(html`<p>${value}</p>`.value).toBe(`<p>${out}</p>`)
  })

  it('renders a condition that holds as its markup, and one that fails as nothing', () => {
    const on = true as boolean
    expect(html`<details ${on && raw('open')}></details>`.value).toBe('<details open></details>')
    expect(html`<details ${!on && raw('open')}></details>`.value).toBe('<details ></details>')
  })

  it('leaves the same values out inside arrays', () => {
    expect(html`${[1, true, null, 'x', false, undefined]}`.value).toBe('1x')
  })

  it('escapes every character that could break out of text or an attribute', () => {
    expect(html`<a title="${`"'<>&`}"></a>`.value).toBe('<a title="&quot;&#39;&lt;&gt;&amp;"></a>')
  })
})
