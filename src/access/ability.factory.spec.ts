import { AbilityFactory, asSubject, onlySome } from './ability.factory';
import { principal } from '../../test/support/principal';
import type { Principal } from './principal';

const who = principal;
const cell = (over: Partial<Principal>) => who({ agencyId: 'cell', agencyCode: 'FUSION', inFusionCell: true, ...over });
const can = (p: Principal, action: Parameters<ReturnType<AbilityFactory['createFor']>['can']>[0], subject: Parameters<typeof asSubject>[0], row: object) =>
  new AbilityFactory().createFor(p).can(action, asSubject(subject, row));

describe('AbilityFactory: inbox items', () => {
  const item = (over: Record<string, unknown> = {}) => ({
    agencyId: 'police',
    kind: 'ASSESSMENT',
    variant: 'FULL',
    content: { classification: 'SECRET', compartments: ['HUMINT'], tearline: { classification: 'RESTRICTED' } },
    ...over,
  });
  /** Which variant the reader may see of the item: the inbox's choice (readFull, else readTearline). */
  const seen = (p: Principal, i: object) => (can(p, 'readFull', 'Inbox', i) ? 'FULL' : can(p, 'readTearline', 'Inbox', i) ? 'TEARLINE' : 'WITHHELD');

  it('gives each reader the variant their clearance and compartments allow', () => {
    expect(seen(who({}), item())).toBe('FULL');
    expect(seen(who({ compartments: [] }), item())).toBe('TEARLINE');
    expect(seen(who({ clearance: 'CONFIDENTIAL' }), item())).toBe('TEARLINE');
    expect(seen(who({ clearance: 'UNCLASSIFIED' }), item())).toBe('WITHHELD');
    expect(seen(who({ compartments: [] }), item({ content: { classification: 'SECRET', compartments: ['HUMINT'], tearline: null } }))).toBe('WITHHELD');
  });

  it('never gives more than the agency received: a tearline copy stays a tearline for a cleared reader', () => {
    expect(seen(who({ clearance: 'TOP_SECRET' }), item({ variant: 'TEARLINE', content: { tearline: { classification: 'RESTRICTED' } } }))).toBe('TEARLINE');
  });

  it('gives AUDITOR and ADMIN no assessment content, whatever their clearance', () => {
    for (const role of ['AUDITOR', 'ADMIN'] as const) expect(seen(who({ roles: [role], clearance: 'TOP_SECRET' }), item())).toBe('WITHHELD');
  });

  it('lets an officer acknowledge their own agency’s items only; no other role may', () => {
    expect(can(who({}), 'acknowledge', 'Inbox', item())).toBe(true);
    expect(can(who({}), 'acknowledge', 'Inbox', item({ agencyId: 'customs' }))).toBe(false);
    for (const roles of [['ANALYST'], ['SUPERVISOR'], ['AUDITOR'], ['ADMIN']] as const) {
      expect(can(cell({ roles: [...roles] }), 'acknowledge', 'Inbox', item({ agencyId: 'cell' }))).toBe(false);
    }
  });
});

describe('AbilityFactory: redrive', () => {
  const delivery = (assessment: object | null) => ({ agencyId: 'police', assessmentId: assessment ? 'a1' : null, assessment });
  const secret = { classification: 'SECRET', compartments: [] };

  it('lets ADMIN redrive any delivery, whatever its content', () => {
    expect(can(who({ roles: ['ADMIN'], clearance: 'UNCLASSIFIED', compartments: [] }), 'redrive', 'Dissemination', delivery({ classification: 'TOP_SECRET', compartments: ['X'] }))).toBe(true);
  });

  it('lets a cell SUPERVISOR redrive a notice, or an assessment they may read in full, and nothing else', () => {
    const supervisor = cell({ roles: ['SUPERVISOR'], clearance: 'SECRET', compartments: [] });
    expect(can(supervisor, 'redrive', 'Dissemination', delivery(null))).toBe(true);
    expect(can(supervisor, 'redrive', 'Dissemination', delivery(secret))).toBe(true);
    expect(can(supervisor, 'redrive', 'Dissemination', delivery({ ...secret, compartments: ['HUMINT'] }))).toBe(false);
    expect(can({ ...supervisor, clearance: 'CONFIDENTIAL' }, 'redrive', 'Dissemination', delivery(secret))).toBe(false);
  });

  it('gives an ANALYST, an OFFICER or an AUDITOR no redrive at all', () => {
    for (const p of [cell({ roles: ['ANALYST'] }), who({}), cell({ roles: ['AUDITOR'] })]) expect(can(p, 'redrive', 'Dissemination', delivery(null))).toBe(false);
  });
});

describe('AbilityFactory: who received an assessment', () => {
  const assessment = (recipientAgencyIds: string[]) => ({ classification: 'SECRET', compartments: [], status: 'DRAFT', recipientAgencyIds });

  it('shows the cell’s and an oversight body’s auditors every list, a scoped auditor only one sent to their agency', () => {
    expect(can(cell({ roles: ['AUDITOR'] }), 'readDisseminations', 'Assessment', assessment([]))).toBe(true);
    expect(can(who({ roles: ['AUDITOR'], inOversightAgency: true }), 'readDisseminations', 'Assessment', assessment([]))).toBe(true);
    const scoped = who({ roles: ['AUDITOR'] });
    expect(can(scoped, 'readDisseminations', 'Assessment', assessment(['customs']))).toBe(false);
    expect(can(scoped, 'readDisseminations', 'Assessment', assessment(['customs', 'police']))).toBe(true);
  });

  it('shows a cell analyst the list of an assessment they may read, and only that', () => {
    expect(can(cell({ roles: ['ANALYST'], compartments: [] }), 'readDisseminations', 'Assessment', assessment([]))).toBe(true);
    expect(can(cell({ roles: ['ANALYST'], clearance: 'CONFIDENTIAL' }), 'readDisseminations', 'Assessment', assessment([]))).toBe(false);
  });

  it('tells a caller who sees some deliveries only (an auditor by scope) from one who sees them all or none', () => {
    const f = new AbilityFactory();
    expect(onlySome(f.createFor(who({ roles: ['AUDITOR'] })), 'read', 'Dissemination')).toBe(true);
    expect(onlySome(f.createFor(cell({ roles: ['AUDITOR'] })), 'read', 'Dissemination')).toBe(false);
    expect(onlySome(f.createFor(cell({ roles: ['ANALYST'] })), 'read', 'Dissemination')).toBe(false);
    expect(onlySome(f.createFor(who({})), 'read', 'Dissemination')).toBe(false);
  });
});
