import { createHash } from 'node:crypto';
import { canonicalEvent, canonicalJson, chainHash, GENESIS_HASH } from './canonical';

const event = {
  seq: '1',
  at: new Date('2026-11-28T10:00:00.000Z'),
  actorId: null,
  agencyId: null,
  action: 'auth.login',
  resourceType: 'User',
  resourceId: 'u1',
  resourceIds: [],
  outcome: 'ALLOWED',
  reason: null,
  requestId: 'r1',
  details: { b: 1, a: { d: [1, 2], c: 'x' } },
};

describe('canonical events and the hash chain', () => {
  it('serialises with sorted keys at every depth, independent of insertion order', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 2 }] } })).toBe('{"a":{"c":[3,{"e":2,"f":1}],"d":2},"b":1}');
    const reordered = { ...event, details: { a: { c: 'x', d: [1, 2] }, b: 1 } };
    expect(canonicalEvent(reordered)).toBe(canonicalEvent(event));
  });

  it('is sha256(prevHash || canonical(event)) in lower-case hex', () => {
    const expected = createHash('sha256').update(GENESIS_HASH + canonicalEvent(event)).digest('hex');
    expect(chainHash(GENESIS_HASH, event)).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when any field, or the previous hash, changes', () => {
    const base = chainHash(GENESIS_HASH, event);
    expect(chainHash('1'.repeat(64), event)).not.toBe(base);
    expect(chainHash(GENESIS_HASH, { ...event, outcome: 'DENIED' })).not.toBe(base);
    expect(chainHash(GENESIS_HASH, { ...event, seq: '2' })).not.toBe(base);
    expect(chainHash(GENESIS_HASH, { ...event, resourceIds: ['x'] })).not.toBe(base);
    expect(chainHash(GENESIS_HASH, { ...event, at: new Date('2026-11-28T10:00:00.001Z') })).not.toBe(base);
  });
});
