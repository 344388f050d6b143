// SSRF guard: which addresses a pull may connect to, and resolving a URL's host to addresses that pass.
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { PullError } from './errors'

type Range = [base: bigint, prefix: number]

const v4 = (text: string): bigint | null => {
  const parts = text.split('.')
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return null
  return parts.reduce((n, p) => (n << 8n) | BigInt(p), 0n)
}

/** Parses an IPv6 address (zone id dropped, embedded IPv4 allowed) to a 128-bit number. */
const v6 = (text: string): bigint | null => {
  let s = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '')
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(s)
  if (tail) {
    const n = v4(tail[1]!)
    if (n === null) return null
    s = s.slice(0, -tail[1]!.length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`
  }
  const halves = s.split('::')
  if (halves.length > 2) return null
  const head = halves[0] ? halves[0].split(':') : []
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : []
  const missing = 8 - head.length - rest.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...rest]
  if (groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return null
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n)
}

const r4 = (cidr: string): Range => {
  const [a, p] = cidr.split('/')
  return [v4(a!)!, Number(p)]
}
const r6 = (cidr: string): Range => {
  const [a, p] = cidr.split('/')
  return [v6(a!)!, Number(p)]
}
const inRange = (n: bigint, bits: number, [base, prefix]: Range) => n >> BigInt(bits - prefix) === base >> BigInt(bits - prefix)

// Everything that is not the public internet: "this network", private, CGNAT, loopback, link-local,
// IETF/documentation/benchmark blocks, multicast, reserved and broadcast.
const BLOCKED_V4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
].map(r4)
// Only global unicast (2000::/3) is public; inside it, documentation and ORCHID-style blocks are not.
const GLOBAL_V6 = r6('2000::/3')
const BLOCKED_V6 = ['2001:db8::/32', '2001:10::/28', '2001:20::/28', '2001::/32'].map(r6)
// Forms that carry an IPv4 address inside an IPv6 one: judged by that IPv4 address.
const EMBEDS_V4 = ['::ffff:0:0/96', '64:ff9b::/96', '::/96'].map(r6)
const SIX_TO_FOUR = r6('2002::/16')

/** True when an IP address is on the public internet (not loopback, private, link-local, CGNAT, …). */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''))
  if (family === 4) {
    const n = v4(address)
    return n !== null && !BLOCKED_V4.some((r) => inRange(n, 32, r))
  }
  if (family !== 6) return false
  const n = v6(address)
  if (n === null) return false
  if (EMBEDS_V4.some((r) => inRange(n, 128, r))) return n > 0xffffn && isPublicAddress(v4text(n & 0xffffffffn))
  if (inRange(n, 128, SIX_TO_FOUR)) return isPublicAddress(v4text((n >> 80n) & 0xffffffffn))
  return inRange(n, 128, GLOBAL_V6) && !BLOCKED_V6.some((r) => inRange(n, 128, r))
}

const v4text = (n: bigint) => [24n, 16n, 8n, 0n].map((s) => Number((n >> s) & 0xffn)).join('.')

export type AddressCheck = (address: string, hop: number) => boolean
export const addressCheck =
  (allowPrivate: boolean): AddressCheck =>
  (address) =>
    allowPrivate || isPublicAddress(address)

/**
 * Resolves the URL's host and answers the addresses to connect to, in the resolver's order. Every
 * resolved address must pass, so a name that answers with one public and one private address is refused.
 */
export async function resolveTarget(url: URL, allowed: AddressCheck, hop = 0): Promise<string[]> {
  const host = url.hostname.replace(/^\[|\]$/g, '')
  let addresses: string[]
  if (isIP(host)) addresses = [host]
  else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address)
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      throw new PullError(`The host name ${host} could not be resolved (${code ?? 'DNS error'}).`, 'dns_failed')
    }
  }
  const refused = addresses.find((a) => !allowed(a, hop))
  if (refused !== undefined || addresses.length === 0)
    throw new PullError(
      `${host} resolves to ${refused ?? 'no address'}, a loopback, private or link-local address; pulling from such addresses is off (set IGNY8_PULL_ALLOW_PRIVATE=true for a WordPress on this machine or LAN).`,
      'address_refused',
    )
  return addresses
}
