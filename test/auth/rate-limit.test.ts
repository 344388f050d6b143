// The login limiter itself: counted before the slow check, bounded memory that a flood cannot reset,
// and client addresses grouped the way an attacker gets them (an IPv6 /64 is one client).
import { describe, expect, it } from 'bun:test'
import { addressKey, createRateLimiter } from '../../src/auth/rate-limit'

describe('createRateLimiter', () => {
  it('refuses the 9th attempt on one email without counting it, and says how long to wait', () => {
    let t = 1_000_000
    const limiter = createRateLimiter({ now: () => t })
    for (let i = 0; i < 8; i++) expect(limiter.attempt(['email:a@example.com'])).toBe(0)
    expect(limiter.attempt(['email:a@example.com'])).toBe(15 * 60)
    t += 60_000
    expect(limiter.attempt(['email:a@example.com'])).toBe(14 * 60)
    t += 14 * 60_000
    expect(limiter.attempt(['email:a@example.com'])).toBe(0)
  })

  it('takes back a refunded attempt and forgets a reset key', () => {
    const limiter = createRateLimiter()
    for (let i = 0; i < 8; i++) limiter.attempt(['ip:1.2.3.4'])
    for (let i = 0; i < 100; i++) {
      expect(limiter.attempt(['ip:1.2.3.4', 'email:b@example.com'])).toBe(0)
      limiter.refund(['ip:1.2.3.4'])
      limiter.reset('email:b@example.com')
    }
  })

  it('stays within its size under a flood of new keys and still remembers a locked email', () => {
    const limiter = createRateLimiter({ maxKeys: 1000 })
    for (let i = 0; i < 8; i++) limiter.attempt(['email:victim@example.com'])
    for (let i = 0; i < 250_000; i++) limiter.attempt([`ip:10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, `email:spray${i}@example.com`])
    expect(limiter.size()).toBeLessThanOrEqual(1000)
    expect(limiter.attempt(['email:victim@example.com'])).toBeGreaterThan(0)
  })

  it('drops keys whose window has passed', () => {
    let t = 0
    const limiter = createRateLimiter({ maxKeys: 10, now: () => t })
    for (let i = 0; i < 10; i++) limiter.attempt([`ip:${i}`])
    t += 16 * 60_000
    limiter.attempt(['ip:new'])
    expect(limiter.size()).toBe(1)
  })
})

describe('addressKey', () => {
  it.each([
    ['203.0.113.7', 'ip:203.0.113.7'],
    ['::ffff:203.0.113.7', 'ip:203.0.113.7'],
    ['2001:db8:aaaa:1:2:3:4:5', 'ip:2001:db8:aaaa:1::/64'],
    ['2001:DB8:AAAA:1::5', 'ip:2001:db8:aaaa:1::/64'],
    ['2001:db8::1', 'ip:2001:db8:0:0::/64'],
    ['[2001:db8:aaaa:1::5]:443', 'ip:2001:db8:aaaa:1::/64'],
    ['203.0.113.7:5000', 'ip:203.0.113.7'],
    ['::1', 'ip:0:0:0:0::/64'],
  ])('keys %s as %s', (address, key) => {
    expect(addressKey(address)).toBe(key)
  })
})
