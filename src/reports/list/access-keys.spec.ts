import { AbilityFactory } from '../../access/ability.factory';
import type { Principal } from '../../access/principal';
import { branchAccessKeys, MAX_ACCESS_KEYS } from './access-keys';

const live = { classification: { $in: ['UNCLASSIFIED', 'RESTRICTED'] }, compartments: { $subsetOf: ['SIGINT', 'HUMINT'] }, purgedAt: null };

describe('branchAccessKeys', () => {
  it('lists the way in × each classification × each subset of the compartments, the subsets sorted', () => {
    expect(branchAccessKeys({ ...live, agencyId: 'ABCDEF01-0000-4000-8000-000000000000' })).toEqual([
      'a:abcdef01-0000-4000-8000-000000000000/UNCLASSIFIED/',
      'a:abcdef01-0000-4000-8000-000000000000/UNCLASSIFIED/HUMINT',
      'a:abcdef01-0000-4000-8000-000000000000/UNCLASSIFIED/SIGINT',
      'a:abcdef01-0000-4000-8000-000000000000/UNCLASSIFIED/HUMINT,SIGINT',
      'a:abcdef01-0000-4000-8000-000000000000/RESTRICTED/',
      'a:abcdef01-0000-4000-8000-000000000000/RESTRICTED/HUMINT',
      'a:abcdef01-0000-4000-8000-000000000000/RESTRICTED/SIGINT',
      'a:abcdef01-0000-4000-8000-000000000000/RESTRICTED/HUMINT,SIGINT',
    ]);
    expect(branchAccessKeys({ ...live, compartments: { $subsetOf: [] }, releasableTo: { $all: ['POL-A'] } })).toEqual(['r:POL-A/UNCLASSIFIED/', 'r:POL-A/RESTRICTED/']);
    expect(branchAccessKeys({ ...live, compartments: { $subsetOf: [] }, tlp: { $in: ['GREEN', 'CLEAR'] } })).toEqual(['c:/UNCLASSIFIED/', 'c:/RESTRICTED/']);
  });

  it('gives an officer’s three branches keys, and none to a cell analyst’s (no way in to key on)', () => {
    const principal = (roles: Principal['roles'], inFusionCell: boolean): Principal => ({
      id: 'u',
      username: 'u',
      agencyId: '00000000-0000-4000-8000-000000000001',
      agencyCode: 'POL',
      inFusionCell,
      inOversightAgency: false,
      roles,
      clearance: 'SECRET',
      compartments: ['HUMINT'],
    });
    const keysOf = (p: Principal) => new AbilityFactory().createFor(p).rulesFor('read', 'Report').map((r) => branchAccessKeys((r.conditions ?? {}) as Record<string, unknown>));
    const officer = keysOf(principal(['OFFICER'], false));
    expect(officer.map((k) => k?.length)).toEqual([8, 8, 8]); // 4 classifications × 2 subsets each
    expect(officer.map((k) => k![0].split('/')[0]).sort()).toEqual(['a:00000000-0000-4000-8000-000000000001', 'c:', 'r:POL']);
    expect(keysOf(principal(['ANALYST'], true))).toContain(null);
  });

  it('answers null for a branch the keys cannot describe', () => {
    const { purgedAt: _purged, ...anyPurged } = live;
    expect(branchAccessKeys({ ...anyPurged, agencyId: 'x' })).toBeNull(); // purged reports too: not in the index
    expect(branchAccessKeys({ ...live })).toBeNull(); // no way in
    expect(branchAccessKeys({ ...live, releasableTo: { $all: ['A', 'B'] } })).toBeNull(); // two codes
    expect(branchAccessKeys({ ...live, tlp: { $in: ['CLEAR'] } })).toBeNull(); // not the keyed community TLPs
    expect(branchAccessKeys({ ...live, tlp: 'CLEAR' })).toBeNull();
    expect(branchAccessKeys({ purgedAt: null, compartments: live.compartments, agencyId: 'x' })).toBeNull(); // any classification
    expect(branchAccessKeys({ purgedAt: null, classification: live.classification, agencyId: 'x' })).toBeNull(); // any compartments
    expect(branchAccessKeys({ ...live, classification: { $nin: ['SECRET'] }, agencyId: 'x' })).toBeNull();
  });

  it(`gives up above ${MAX_ACCESS_KEYS} keys (a caller holding many compartments), and never builds the power set to find out`, () => {
    const many = (n: number) => ({ ...live, agencyId: 'x', compartments: { $subsetOf: Array.from({ length: n }, (_, i) => `C${i}`) } });
    expect(branchAccessKeys(many(7))).toHaveLength(2 * 128);
    expect(branchAccessKeys(many(8))).toBeNull();
    expect(branchAccessKeys(many(32))).toBeNull();
  });
});
