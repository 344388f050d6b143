// A word-level diff for long text on the conflict page: the longest common subsequence over words (whitespace kept as
// its own tokens), shown as escaped text with <del> and <ins>. Both sides come from editors: never raw HTML.
import { html, type Html } from '../../src/http/html'

export type DiffPart = { op: 'same' | 'del' | 'ins'; text: string }

/** Words and the whitespace between them, so joining the tokens gives the text back exactly. */
export const tokens = (text: string) => text.split(/(\s+)/).filter((t) => t !== '')

// The LCS table is |a|·|b| cells; past this the diff shows the whole old text removed and the new one added.
const MAX_CELLS = 4_000_000

type Op = { op: DiffPart['op']; token: string }

/** Token by token: the LCS of the tokens between the common head and tail. */
function tokenOps(x: string[], y: string[]): Op[] {
  // Common head and tail cost nothing and keep the table small for the usual edit in the middle of a long text.
  let head = 0
  while (head < x.length && head < y.length && x[head] === y[head]) head++
  let tail = 0
  while (tail < x.length - head && tail < y.length - head && x[x.length - 1 - tail] === y[y.length - 1 - tail]) tail++
  const xs = x.slice(head, x.length - tail)
  const ys = y.slice(head, y.length - tail)
  const ops: Op[] = x.slice(0, head).map((token) => ({ op: 'same', token }))
  if (xs.length * ys.length > MAX_CELLS) {
    xs.forEach((token) => ops.push({ op: 'del', token }))
    ys.forEach((token) => ops.push({ op: 'ins', token }))
  } else {
    const n = xs.length
    const m = ys.length
    const w = m + 1
    // lcs[i*w+j] = length of the LCS of xs[i..] and ys[j..].
    const lcs = new Uint32Array((n + 1) * w)
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--)
        lcs[i * w + j] = xs[i] === ys[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!)
    let i = 0
    let j = 0
    while (i < n && j < m) {
      if (xs[i] === ys[j]) {
        ops.push({ op: 'same', token: xs[i++]! })
        j++
      } else if (lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!) ops.push({ op: 'del', token: xs[i++]! })
      else ops.push({ op: 'ins', token: ys[j++]! })
    }
    while (i < n) ops.push({ op: 'del', token: xs[i++]! })
    while (j < m) ops.push({ op: 'ins', token: ys[j++]! })
  }
  x.slice(x.length - tail).forEach((token) => ops.push({ op: 'same', token }))
  return ops
}

/**
 * The edit from `a` to `b`: each run of changed words as one removal then one insertion (a space both sides share
 * inside the run does not split it); joining the same+del parts gives `a`, same+ins gives `b`.
 */
export function wordDiff(a: string, b: string): DiffPart[] {
  const ops = tokenOps(tokens(a), tokens(b))
  const parts: DiffPart[] = []
  const push = (op: DiffPart['op'], text: string) => {
    if (!text) return
    const last = parts[parts.length - 1]
    if (last && last.op === op) last.text += text
    else parts.push({ op, text })
  }
  const changed = (k: number) => k < ops.length && ops[k]!.op !== 'same'
  let k = 0
  while (k < ops.length) {
    if (!changed(k)) {
      push('same', ops[k++]!.token)
      continue
    }
    let del = ''
    let ins = ''
    while (k < ops.length) {
      const o = ops[k]!
      if (o.op === 'del') del += o.token
      else if (o.op === 'ins') ins += o.token
      // Whitespace between two changes belongs to the run, on both sides.
      else if (/^\s+$/.test(o.token) && changed(k + 1)) {
        del += o.token
        ins += o.token
      } else break
      k++
    }
    push('del', del)
    push('ins', ins)
  }
  return parts
}

/** The diff as escaped markup: removed words in <del>, added ones in <ins>. */
export const diffHtml = (a: string, b: string): Html =>
  html`${wordDiff(a, b).map((p) => (p.op === 'same' ? p.text : p.op === 'del' ? html`<del>${p.text}</del>` : html`<ins>${p.text}</ins>`))}`
