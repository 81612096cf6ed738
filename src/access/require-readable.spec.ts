import { DomainException } from '../common/domain.exception';
import { toErrorBody } from '../common/error-body';
import { AbilityFactory, type AppAbility } from './ability.factory';
import { principal } from '../../test/support/principal';
import type { Principal } from './principal';
import { type DeniedEvent, requireOneOf, requireReadable } from './require-readable';

const officer = principal({ compartments: [] });
const report = (over: Record<string, unknown> = {}) => ({
  id: 'r1',
  agencyId: 'police',
  classification: 'RESTRICTED',
  compartments: [] as string[],
  tlp: 'AMBER',
  releasableTo: [] as string[],
  purgedAt: null as Date | null,
  ...over,
});

/** Runs the check, giving what the client gets (the error body) and the audit events it recorded. */
async function attempt(run: (audit: { record(ctx: unknown, e: DeniedEvent): Promise<void> }, ctx: { ability: AppAbility }) => Promise<unknown>, who: Principal = officer) {
  const events: DeniedEvent[] = [];
  const audit = { record: (_ctx: unknown, e: DeniedEvent) => Promise.resolve(void events.push(e)) };
  try {
    return { result: await run(audit, { ability: new AbilityFactory().createFor(who) }), events };
  } catch (err) {
    return { body: toErrorBody(err, 'req'), events };
  }
}

describe('requireReadable: load → ability.can → audit DENIED → 404', () => {
  it('returns a readable row and records nothing', async () => {
    const row = report();
    const out = await attempt((audit, ctx) => requireReadable(audit, ctx, 'Report', 'r1', row, { action: 'report.read' }));
    expect(out).toEqual({ result: row, events: [] });
  });

  it('answers a refused row exactly as a missing one, and records each as DENIED with its reason', async () => {
    const refused = await attempt((audit, ctx) => requireReadable(audit, ctx, 'Report', 'r1', report({ agencyId: 'customs' }), { action: 'report.read' }));
    const missing = await attempt((audit, ctx) => requireReadable(audit, ctx, 'Report', 'r2', null, { action: 'report.read' }));
    expect(refused.body).toEqual({ statusCode: 404, error: 'Not Found', code: 'NOT_FOUND', message: 'Report not found', requestId: 'req' });
    expect(missing.body).toEqual(refused.body);
    expect(refused.events).toEqual([{ action: 'report.read', resourceType: 'Report', resourceId: 'r1', outcome: 'DENIED', reason: 'need-to-know' }]);
    expect(missing.events).toEqual([{ action: 'report.read', resourceType: 'Report', resourceId: 'r2', outcome: 'DENIED', reason: 'not found' }]);
  });

  it('says "purged" only to a caller who could read the report before retention purged it', async () => {
    const purgedOwn = await attempt((audit, ctx) => requireReadable(audit, ctx, 'Report', 'r1', report({ purgedAt: new Date() }), { action: 'report.read' }));
    const purgedOther = await attempt((audit, ctx) => requireReadable(audit, ctx, 'Report', 'r1', report({ agencyId: 'customs', purgedAt: new Date() }), { action: 'report.read' }));
    expect(purgedOwn.events.map((e) => e.reason)).toEqual(['purged']);
    expect(purgedOther.events.map((e) => e.reason)).toEqual(['need-to-know']);
    expect(purgedOwn.body).toEqual(purgedOther.body);
  });

  it('takes the action, names, reasons, details and error the call site gives', async () => {
    const item = { id: 'i1', agencyId: 'customs', kind: 'ASSESSMENT' };
    const options = { action: 'dissemination.acknowledge', can: 'acknowledge' as const, resourceType: 'Dissemination', notFoundAs: 'Inbox item', refused: 'another agency’s inbox', details: { n: 1 } };
    const other = await attempt((audit, ctx) => requireReadable(audit, ctx, 'Inbox', 'i1', item, options));
    expect(other.body).toMatchObject({ statusCode: 404, message: 'Inbox item not found' });
    expect(other.events).toEqual([{ action: 'dissemination.acknowledge', resourceType: 'Dissemination', resourceId: 'i1', outcome: 'DENIED', reason: 'another agency’s inbox', details: { n: 1 } }]);
    const own = await attempt((audit, ctx) => requireReadable(audit, ctx, 'Inbox', 'i1', { ...item, agencyId: 'police' }, options));
    expect(own.events).toEqual([]);
    // One reason for both, and another error than the 404.
    const alike = await attempt((audit, ctx) =>
      requireReadable(audit, ctx, 'Report', null, null, { action: 'report.read', alike: 'need-to-know', error: () => new DomainException(422, 'SUPERSEDES_UNREADABLE', 'not a 404') }),
    );
    expect(alike.events.map((e) => [e.resourceId, e.reason])).toEqual([[null, 'need-to-know']]);
    expect(alike.body).toMatchObject({ statusCode: 422, message: 'not a 404' });
  });

  it('lets the rules read joined fields beside the row, and returns the row without them', async () => {
    const supervisor: Principal = { ...officer, agencyId: 'cell', inFusionCell: true, roles: ['SUPERVISOR'], clearance: 'CONFIDENTIAL' };
    const row = { id: 'd1', assessmentId: 'a1' };
    const check = (classification: string) => attempt((audit, ctx) => requireReadable(audit, ctx, 'Dissemination', 'd1', row, { action: 'dissemination.redrive', can: 'redrive', joined: { assessment: { classification, compartments: [] } } }), supervisor);
    expect((await check('RESTRICTED')).result).toBe(row);
    expect((await check('SECRET')).events.map((e) => e.reason)).toEqual(['need-to-know']);
  });
});

describe('requireOneOf: an item readable in more than one way', () => {
  const assessment = (over: Record<string, unknown>) => ({
    id: 'a1',
    status: 'PUBLISHED',
    classification: 'SECRET',
    compartments: ['HUMINT'],
    distributionAll: true,
    distributionCodes: [],
    tearlineClassification: 'RESTRICTED',
    ...over,
  });
  const read = (a: object | null) => attempt((audit, ctx) => requireOneOf(audit, ctx, 'Assessment', 'a1', a, ['read', 'readTearline'], { action: 'assessment.read' }));

  it('gives the first action the ability allows: in full, else by the tearline', async () => {
    expect((await read(assessment({ compartments: [] }))).result).toMatchObject({ allowed: 'read' });
    expect((await read(assessment({}))).result).toMatchObject({ allowed: 'readTearline' });
  });

  it('denies when neither is allowed, as for a missing item', async () => {
    const neither = await read(assessment({ tearlineClassification: 'TOP_SECRET' }));
    const missing = await read(null);
    expect(neither.body).toEqual(missing.body);
    expect([...neither.events, ...missing.events].map((e) => e.reason)).toEqual(['need-to-know', 'not found']);
  });
});
