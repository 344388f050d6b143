// okOnce: a hot read's `ok` envelope as a Response whose JSON text is made (and checked against the route's
// documented answer) once per shared data object.
import { describe, expect, it } from 'bun:test'
import { z } from 'zod'
import { okOnce } from '../../src/http/envelope'
import { okSchema } from '../../src/http/response-schema'

describe('okOnce', () => {
  it('answers the ok envelope as JSON, checking and serializing each data object once', async () => {
    let checks = 0
    const schema = okSchema(z.object({ n: z.number() }).refine(() => ++checks > 0))
    const answer = okOnce<{ n: number }>(schema)
    const one = Object.freeze({ n: 1 })
    const first = answer(one)
    expect(first.headers.get('content-type')).toBe('application/json;charset=utf-8')
    expect(await first.json()).toEqual({ success: true, data: { n: 1 } })
    expect(await answer(one).text()).toBe('{"success":true,"data":{"n":1}}')
    expect(checks).toBe(1)
    // Another object (the data changed) is checked and serialized anew.
    expect(await answer(Object.freeze({ n: 2 })).json()).toEqual({ success: true, data: { n: 2 } })
    expect(checks).toBe(2)
  })

  it('refuses data that does not match the documented answer, and keeps no text for it', () => {
    const answer = okOnce<object>(okSchema(z.object({ n: z.number() })))
    const bad = Object.freeze({ n: 'one' })
    expect(() => answer(bad)).toThrow()
    expect(() => answer(bad)).toThrow()
  })

  it('answers only the keys the schema documents', async () => {
    const answer = okOnce<object>(okSchema(z.object({ n: z.number() })))
    expect(await answer(Object.freeze({ n: 1, secret: 'x' })).json()).toEqual({ success: true, data: { n: 1 } })
  })
})
