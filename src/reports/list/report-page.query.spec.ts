import fc from 'fast-check';
import type { Repository } from 'typeorm';
import { AbilityFactory } from '../../access/ability.factory';
import { CLASSIFICATIONS, TLPS } from '../../access/markings';
import type { Agency } from '../../agencies/agency.entity';
import { pageOf } from '../../common/pagination';
import { ListReportsQuery } from '../dto/list-reports.query';
import { Report, type ReportCategory } from '../report.entity';
import { referencePageQuery } from './reference-page.query';
import { reportPageQuery } from './report-page.query';
import { closeReportWorld, COMPARTMENTS, openReportWorld, principalArb, principalIn, type PrincipalSpec, type ReportWorld } from '../../../test/support/report-world';

/*
 * The list's fast path (`reportPageQuery`: branches, access keys, share-row walks, a UNION) against the
 * plain reference query (`whereAccessible` + filters + newest first + cursor) on real PostgreSQL: random
 * reports, random callers, random filters and searches, paged through with cursors — the same ids in
 * the same order, page by page. All in one REPEATABLE READ transaction, rolled back at the end: both
 * queries see one snapshot, whatever other suites commit meanwhile, and nothing is left behind.
 */

const CATEGORIES: ReportCategory[] = ['TERRORISM', 'ORGANISED_CRIME', 'OTHER'];
const WORDS = ['harbour', 'tanker', 'convoy', 'ledger'] as const;
const TITLE = 'list fast-path property test';
/** Our reports are the newest of the table (created in the year 3000), so paging meets them first. */
const BASE = Date.UTC(3000, 0, 1);
const DAY = 86_400_000;

let world: ReportWorld;
let reports: Repository<Report>;
let agencies: Agency[];
let creatorId: string;

beforeAll(async () => {
  world = await openReportWorld('list spec', 'REPEATABLE READ');
  ({ reports, agencies, creatorId } = world);
});

afterAll(() => closeReportWorld(world));

const reportArb = fc.record({
  agency: fc.integer({ min: 0, max: 3 }),
  classification: fc.constantFrom(...CLASSIFICATIONS),
  compartments: fc.shuffledSubarray([...COMPARTMENTS]),
  tlp: fc.constantFrom(...TLPS),
  releasableTo: fc.shuffledSubarray([0, 1, 2, 3]),
  purged: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
  category: fc.constantFrom(...CATEGORIES),
  occurredDay: fc.integer({ min: 0, max: 9 }),
  /** Few distinct values: ties on created_at are broken by id, as the cursor is. */
  createdMs: fc.integer({ min: 0, max: 30 }),
  words: fc.shuffledSubarray([...WORDS], { minLength: 1 }),
});
type ReportSpec = typeof reportArb extends fc.Arbitrary<infer T> ? T : never;

const callerArb = fc.oneof(principalArb, principalArb.map((p): PrincipalSpec => ({ ...p, inFusionCell: true, roles: ['ANALYST'] }))); // cell analysts too

/** A filter in one request of three. */
const sometimes = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
const queryArb = fc.record({
  limit: fc.integer({ min: 1, max: 6 }),
  category: sometimes(fc.constantFrom(...CATEGORIES)),
  from: sometimes(fc.integer({ min: 0, max: 5 })),
  to: sometimes(fc.integer({ min: 4, max: 10 })),
  q: sometimes(fc.constantFrom(...WORDS, 'harbour or tanker', '"harbour tanker"', 'convoy -ledger', 'absent')),
  broad: fc.boolean(),
});

/** Replaces the previous run's reports with these (their share rows follow by the trigger). */
async function insertReports(specs: ReportSpec[]): Promise<void> {
  await reports.delete({ title: TITLE });
  if (specs.length === 0) return;
  await reports.insert(
    specs.map((s) => ({
      agencyId: agencies[s.agency].id,
      createdBy: creatorId,
      title: TITLE,
      narrative: s.words.join(' '),
      category: s.category,
      occurredAt: new Date(BASE + s.occurredDay * DAY),
      location: null,
      sourceReliability: 'C' as const,
      informationCredibility: 3,
      classification: s.classification,
      compartments: s.compartments,
      tlp: s.tlp,
      releasableTo: s.releasableTo.map((i) => agencies[i].code),
      sourceDescription: null,
      suspicionBasis: 'generated for a property test',
      reviewDueAt: new Date(BASE + DAY),
      validatedAt: null,
      createdAt: new Date(BASE + s.createdMs),
      purgedAt: s.purged ? new Date(BASE) : null,
    })),
  );
}

/**
 * Which strategy a page query took, from its SQL: the property must exercise each. (A union without a
 * share-row walk — a narrow search with a branch that has no access keys — the factory's rules never make.)
 */
function strategyOf(sql: string): string {
  if (sql.includes('report_access_keys')) return 'access keys';
  if (sql.includes(' UNION ')) return sql.includes('report_share') ? 'union with a share-row walk' : 'union';
  return 'single branch';
}

describe('reportPageQuery returns what the plain reference query returns', () => {
  const factory = new AbilityFactory();

  it('on random reports, callers, filters and searches, page by page through the cursors', async () => {
    const seen = { rows: 0, strategies: new Map<string, number>() };
    await fc.assert(
      fc.asyncProperty(
        fc.array(reportArb, { maxLength: 60, size: 'max' }),
        fc.array(fc.tuple(callerArb, queryArb), { minLength: 1, maxLength: 4 }),
        async (specs, callers) => {
          await insertReports(specs);
          for (const [p, query] of callers) {
            const ability = factory.createFor(principalIn(agencies, p));
            const q = Object.assign(new ListReportsQuery(), {
              limit: query.limit,
              category: query.category,
              from: query.from === undefined ? undefined : new Date(BASE + query.from * DAY).toISOString(),
              to: query.to === undefined ? undefined : new Date(BASE + query.to * DAY).toISOString(),
              q: query.q,
            });
            for (;;) {
              const expected = await referencePageQuery(reports, ability, q).getMany();
              const fast = await reportPageQuery(reports, ability, q, () => Promise.resolve(query.broad));
              const rows = fast ? await fast.getRawMany<{ r_id: string; readable: boolean }>() : [];
              expect(rows.map((r) => r.r_id)).toEqual(expected.map((r) => r.id));
              expect(rows.every((r) => r.readable)).toBe(true);
              if (fast) {
                const s = strategyOf(fast.getQuery());
                seen.strategies.set(s, (seen.strategies.get(s) ?? 0) + 1);
              }
              seen.rows += rows.length;
              const { nextCursor } = pageOf(expected, q.limit, (r) => r.createdAt);
              // Past our reports (older ones are other suites'), or at the end: this caller is done.
              if (!nextCursor || expected[q.limit - 1].createdAt.getTime() < BASE) break;
              q.cursor = nextCursor;
            }
          }
        },
      ),
      { numRuns: 100 },
    );
    // Not vacuous: many rows were compared, and every strategy was taken.
    expect(seen.rows).toBeGreaterThan(300);
    expect([...seen.strategies.keys()].sort()).toEqual(['access keys', 'single branch', 'union with a share-row walk']);
  });
});
