import { isSensitiveUpdate, type UserGrant } from './four-eyes';

describe('isSensitiveUpdate: which changes to a user wait for a second ADMIN (SPEC S1)', () => {
  const officer: UserGrant = { id: 'u1', roles: ['OFFICER'], clearance: 'SECRET', compartments: ['HUMINT'], active: true };
  const otherAdmin: UserGrant = { id: 'a2', roles: ['ADMIN'], clearance: 'UNCLASSIFIED', compartments: [], active: true };
  const me = 'a1';

  it('waits for a role, clearance or compartment more, another user’s password, a reactivation', () => {
    expect(isSensitiveUpdate(officer, { roles: ['OFFICER', 'ANALYST'] }, me)).toBe(true);
    expect(isSensitiveUpdate(officer, { clearance: 'TOP_SECRET' }, me)).toBe(true);
    expect(isSensitiveUpdate(officer, { compartments: ['HUMINT', 'SIGINT'] }, me)).toBe(true);
    expect(isSensitiveUpdate(officer, { password: 'x'.repeat(12) }, me)).toBe(true);
    expect(isSensitiveUpdate({ ...officer, active: false }, { active: true }, me)).toBe(true);
    expect(isSensitiveUpdate(officer, { clearance: 'RESTRICTED', compartments: ['SIGINT'] }, me)).toBe(true); // a swap is a compartment more
  });

  it('waits for removing another active ADMIN (deactivating or demoting)', () => {
    expect(isSensitiveUpdate(otherAdmin, { active: false }, me)).toBe(true);
    expect(isSensitiveUpdate(otherAdmin, { roles: ['AUDITOR'] }, me)).toBe(true);
  });

  it('applies at once: lowering, removing, deactivating a non-ADMIN, one’s own password, nothing new', () => {
    expect(isSensitiveUpdate(officer, { clearance: 'CONFIDENTIAL' }, me)).toBe(false);
    expect(isSensitiveUpdate(officer, { compartments: [] }, me)).toBe(false);
    expect(isSensitiveUpdate(officer, { active: false }, me)).toBe(false);
    expect(isSensitiveUpdate(officer, { roles: ['OFFICER'], clearance: 'SECRET', compartments: ['HUMINT'], active: true }, me)).toBe(false);
    expect(isSensitiveUpdate({ ...otherAdmin, id: me }, { password: 'x'.repeat(12) }, me)).toBe(false);
  });
});
