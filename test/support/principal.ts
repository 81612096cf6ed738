import type { Principal } from '../../src/access/principal';

/** A principal for unit specs of the access rules: a SECRET / HUMINT officer of agency `police` unless `over` says otherwise. */
export function principal(over: Partial<Principal> = {}): Principal {
  return {
    id: 'u1',
    username: 'u',
    agencyId: 'police',
    agencyCode: 'POL',
    inFusionCell: false,
    inOversightAgency: false,
    roles: ['OFFICER'],
    clearance: 'SECRET',
    compartments: ['HUMINT'],
    ...over,
  };
}
