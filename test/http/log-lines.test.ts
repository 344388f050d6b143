// Log lines go to stdout batched per turn of the event loop, in order, and none is lost when the process ends.
import { afterAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BATCH_LIMIT, lineBatcher } from '../../src/log'

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

describe('lineBatcher', () => {
  it('writes the lines of one turn as one text, in order, after the turn', async () => {
    const writes: string[] = []
    const batch = lineBatcher((text) => writes.push(text))
    batch.line('a')
    batch.line('b')
    batch.line('c')
    expect(writes).toEqual([])
    await nextTurn()
    expect(writes).toEqual(['a\nb\nc\n'])
    batch.line('d')
    await nextTurn()
    await nextTurn()
    expect(writes).toEqual(['a\nb\nc\n', 'd\n'])
  })

  it('writes at once past the limit, and keeps the order with what follows', async () => {
    const writes: string[] = []
    const batch = lineBatcher((text) => writes.push(text))
    const long = 'x'.repeat(BATCH_LIMIT)
    batch.line('first')
    batch.line(long)
    expect(writes).toEqual([`first\n${long}\n`])
    batch.line('after')
    await nextTurn()
    expect(writes).toEqual([`first\n${long}\n`, 'after\n'])
  })

  it('flush writes what waits, and nothing when nothing waits', () => {
    const writes: string[] = []
    const batch = lineBatcher((text) => writes.push(text))
    batch.flush()
    batch.line('a')
    batch.flush()
    batch.flush()
    expect(writes).toEqual(['a\n'])
  })
})

describe("the default logger's stdout", () => {
  const dir = mkdtempSync(join(tmpdir(), 'igny8-log-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const script = join(dir, 'log.ts')
  writeFileSync(
    script,
    `import { createLogger } from ${JSON.stringify(join(import.meta.dir, '../../src/log.ts'))}
const log = createLogger('info')
for (let i = 0; i < 1000; i++) log.info('line', { i })
const how = process.argv[2]
if (how === 'exit') process.exit(3)
if (how === 'throw') setTimeout(() => { log.error('last', { i: 1000 }); throw new Error('boom') }, 1)
`,
  )
  const run = (how: string) => {
    const child = Bun.spawnSync([process.execPath, script, how], { stdout: 'pipe', stderr: 'pipe' })
    const lines = child.stdout
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    return { code: child.exitCode, lines }
  }

  it.each([
    ['the process ends by itself', 'end', 0, 1000],
    ['process.exit() comes in the same turn', 'exit', 3, 1000],
    ['an uncaught error ends it', 'throw', 1, 1001],
  ])('keeps every line, in order, when %s', (_name, how, code, count) => {
    const r = run(how)
    expect(r.code).toBe(code)
    expect(r.lines.length).toBe(count)
    expect(r.lines.map((l) => l.i)).toEqual(Array.from({ length: count }, (_, i) => i))
  })
})
