// Over 300 lines: the SQL-vs-CASL property tests of every subject a list filters, one world of random data shared by all.
import { AbilityBuilder, buildMongoQueryMatcher, createMongoAbility, type MongoQuery } from '@casl/ability';
import type { FieldCondition } from '@ucast/mongo2js';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import type { QueryRunner, Repository } from 'typeorm';
import type { Agency } from '../agencies/agency.entity';
import { AuditPending } from '../audit/audit-event.entity';
import { Report } from '../reports/report.entity';
import { accessKeysSql, branchAccessKeys } from '../reports/list/access-keys';
import { accessibleSqlBranches, branchTermsNotOver, branchTermsOver } from '../reports/list/branches';
import { ReportShare } from '../reports/report-share.entity';
import { shareAnswers, sharedWith } from '../reports/list/share-branch';
import { AbilityFactory, type Action, type AppAbility, asSubject, type SubjectName } from './ability.factory';
import { accessibleSql, type SqlFragment, whereAccessible } from './ability-sql';
import { CLASSIFICATIONS, TLPS } from './markings';
import type { Principal } from './principal';
import { closeReportWorld, COMPARTMENTS, openReportWorld, principalArb, principalIn, type PrincipalSpec, type ReportWorld, uniqueCode } from '../../test/support/report-world';

/*
 * Need-to-know has one definition (the ability factory) enforced twice: in memory for single items
 * (`ability.can`) and as SQL for lists and searches (`whereAccessible`). These tests prove the two agree
 * on real PostgreSQL, for random reports and random principals.
 */

const code = uniqueCode;

/** Everything this spec writes is rolled back at the end (test/support/report-world.ts). */
let world: ReportWorld;
let tx: QueryRunner;
let reports: Repository<Report>;
let agencies: Agency[];
let creatorId: string;

beforeAll(async () => {
  world = await openReportWorld('ability-sql spec');
  ({ tx, reports, agencies, creatorId } = world);
});

afterAll(() => closeReportWorld(world));

// ---------------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------------

interface Markings {
  agency: number;
  classification: (typeof CLASSIFICATIONS)[number];
  compartments: string[];
  tlp: (typeof TLPS)[number];
  releasableTo: number[];
  /** Purged by retention: a tombstone need-to-know never lets through, with no share rows. */
  purged: boolean;
}

/** Agency index: the test's agencies. */
const agencyIndex = () => fc.integer({ min: 0, max: 3 });

const markingsArb: fc.Arbitrary<Markings> = fc.record({
  agency: agencyIndex(),
  classification: fc.constantFrom(...CLASSIFICATIONS),
  compartments: fc.shuffledSubarray([...COMPARTMENTS]),
  tlp: fc.constantFrom(...TLPS),
  releasableTo: fc.shuffledSubarray([0, 1, 2, 3]),
  purged: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
});

const outsider = { id: randomUUID(), code: code('OUT') };
const principalOf = (spec: PrincipalSpec): Principal => principalIn(agencies, spec, outsider);

/** Inserts the reports directly (no service, no audit) and loads them back as the service would. */
async function insertReports(markings: Markings[]): Promise<Report[]> {
  if (markings.length === 0) return [];
  const now = new Date();
  const { identifiers } = await reports.insert(
    markings.map((m) => ({
      agencyId: agencies[m.agency].id,
      createdBy: creatorId,
      title: 'ability-sql property test',
      narrative: 'generated',
      category: 'OTHER' as const,
      occurredAt: now,
      location: null,
      sourceReliability: 'C' as const,
      informationCredibility: 3,
      classification: m.classification,
      compartments: m.compartments,
      tlp: m.tlp,
      releasableTo: m.releasableTo.map((i) => agencies[i].code),
      sourceDescription: null,
      suspicionBasis: 'generated for a property test',
      reviewDueAt: new Date(now.getTime() + 86_400_000),
      validatedAt: null,
      createdAt: now,
      purgedAt: m.purged ? now : null,
    })),
  );
  const ids = identifiers.map((i) => String(i.id));
  const loaded = await reports.createQueryBuilder('r').where('r.id = ANY(:ids)', { ids }).getMany();
  expect(loaded).toHaveLength(markings.length);
  return loaded;
}

/** The ids the database returns for (action, Report) among `ids`. */
async function sqlIds(ability: AppAbility, action: Action, ids: string[]): Promise<string[]> {
  const qb = reports.createQueryBuilder('r').select('r.id').where('r.id = ANY(:ids)', { ids });
  whereAccessible(qb, ability, action, 'Report');
  return (await qb.getMany()).map((r) => r.id).sort();
}

/** How many branches (and rows) the access-key check of branchIds compared: the property must not be vacuous. */
const keyed = { branches: 0, rows: 0 };
/** The same for its share-row check. */
const answered = { branches: 0, rows: 0 };

/**
 * The ids the union of the branches selects among `ids` (what GET /reports merges), each branch run on
 * its own; also checks the branches' parameter names do not collide (the list puts them in one query).
 */
async function branchIds(ability: AppAbility, action: Action, ids: string[]): Promise<string[]> {
  const branches = accessibleSqlBranches(ability, action, 'Report', reports.createQueryBuilder('r'));
  const names = branches.flatMap((b) => Object.keys(b.params));
  expect(new Set(names).size).toBe(names.length);
  const union = new Set<string>();
  for (const b of branches) {
    const qb = reports.createQueryBuilder('r').select('r.id').where('r.id = ANY(:ids)', { ids }).andWhere(b.sql, b.params);
    const selected = (await qb.getMany()).map((r) => r.id);
    for (const id of selected) union.add(id);
    // The branch's terms over report_share (the list's pre-filter of shares) drop no share of a report the branch admits.
    const shares = reports.manager.getRepository(ReportShare);
    const terms = branchTermsOver(b, shares.createQueryBuilder('s'), 'share');
    const sharesOf = (where: SqlFragment) =>
      shares.createQueryBuilder('s').where('s.report_id = ANY(:selected)', { selected }).andWhere(where.sql, where.params).getCount();
    expect(await sharesOf(terms)).toBe(await sharesOf({ sql: 'TRUE', params: {} }));
    // Where the list takes a share row's word for the shared branch (shareAnswers), the agency's share
    // rows whose markings pass the branch's terms are exactly the branch's reports: purged ones included.
    const code = sharedWith(b);
    if (code !== null && shareAnswers(branchTermsNotOver(b, shares.createQueryBuilder('s')), code)) {
      const byShares = await shares
        .createQueryBuilder('s')
        .select('s.report_id', 'id')
        .where('s.report_id = ANY(:ids)', { ids })
        .andWhere('s.agency_code = :code', { code })
        .andWhere(terms.sql, terms.params)
        .getRawMany<{ id: string }>();
      expect(byShares.map((r) => r.id).sort()).toEqual([...selected].sort());
      answered.branches++;
      answered.rows += selected.length;
    }
    // The branch's access keys (what a text search looks up in report_search_access_idx) select exactly its rows.
    const keys = branchAccessKeys(b.conditions);
    if (keys) {
      const byKeys = await reports
        .createQueryBuilder('r')
        .select('r.id')
        .where('r.id = ANY(:ids)', { ids })
        .andWhere(`${accessKeysSql('r')} && CAST(:keys AS text[])`, { keys })
        .andWhere('r.purged_at IS NULL')
        .getMany();
      expect(byKeys.map((r) => r.id).sort()).toEqual([...selected].sort());
      keyed.branches++;
      keyed.rows += selected.length;
    }
  }
  return [...union].sort();
}

/** The ids the in-memory check allows for (action, Report) — the single-item path. */
function memoryIds(ability: AppAbility, action: Action, rows: Report[]): string[] {
  return rows
    .filter((r) => ability.can(action, asSubject('Report', r)))
    .map((r) => r.id)
    .sort();
}

/**
 * The matcher for hand-built abilities: CASL's Mongo operators plus `$subsetOf`, written here again
 * (the factory's is private to it).
 */
const handMatcher = buildMongoQueryMatcher(
  { $subsetOf: { type: 'field' } },
  {
    subsetOf: (condition: FieldCondition<string[]>, object: object, { get }: { get: (o: object, f: string) => unknown }) => {
      const value = get(object, condition.field);
      return Array.isArray(value) && value.every((v) => condition.value.includes(v as string));
    },
  },
);

// ---------------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------------

describe('accessibleSql agrees with ability.can on real PostgreSQL', () => {
  const factory = new AbilityFactory();
  const ACTIONS: Action[] = ['read', 'readSource', 'validate'];

  it('for the factory’s abilities: read, readSource and validate select exactly the rows ability.can allows', async () => {
    const tally = Object.fromEntries(ACTIONS.map((a) => [a, { allowed: 0, denied: 0 }])) as Record<Action, { allowed: number; denied: number }>;
    await fc.assert(
      fc.asyncProperty(
        fc.array(markingsArb, { minLength: 0, maxLength: 60, size: 'max' }),
        fc.array(principalArb, { minLength: 1, maxLength: 4, size: 'max' }),
        async (markings, specs) => {
          const rows = await insertReports(markings);
          const ids = rows.map((r) => r.id);
          for (const spec of specs) {
            const ability = factory.createFor(principalOf(spec));
            for (const action of ACTIONS) {
              const inMemory = memoryIds(ability, action, rows);
              expect(await sqlIds(ability, action, ids)).toEqual(inMemory);
              expect(await branchIds(ability, action, ids)).toEqual(inMemory);
              tally[action].allowed += inMemory.length;
              tally[action].denied += rows.length - inMemory.length;
            }
          }
        },
      ),
      { numRuns: 40 },
    );
    // The property was not vacuous: every action both allowed and denied some rows, and access keys were compared.
    expect(keyed.branches).toBeGreaterThan(0);
    expect(keyed.rows).toBeGreaterThan(0);
    expect(answered.branches).toBeGreaterThan(0);
    expect(answered.rows).toBeGreaterThan(0);
    for (const action of ACTIONS) {
      expect(tally[action].allowed).toBeGreaterThan(0);
      expect(tally[action].denied).toBeGreaterThan(0);
    }
  });

  // The translator beyond what the factory uses today. Conditions are on NOT NULL columns (plus `eq null`):
  // SQL's three-valued logic makes `in`/`nin`/`not` over a NULL differ from Mongo semantics.
  it('for hand-built rules using every supported operator (eq, ne, in, nin, all, subsetOf, and, or, not/cannot)', async () => {
    type Build = (b: AbilityBuilder<AppAbility>, a: Agency[]) => void;
    const cases: Record<string, Build> = {
      eq: ({ can }, a) => can('read', 'Report', { agencyId: a[1].id }),
      'eq null': ({ can }) => can('read', 'Report', { validatedAt: null }),
      ne: ({ can }) => can('read', 'Report', { classification: { $ne: 'SECRET' } }),
      in: ({ can }) => can('read', 'Report', { tlp: { $in: ['AMBER', 'RED'] } }),
      'in []': ({ can }) => can('read', 'Report', { tlp: { $in: [] } }),
      nin: ({ can }) => can('read', 'Report', { classification: { $nin: ['TOP_SECRET', 'RESTRICTED'] } }),
      'nin []': ({ can }) => can('read', 'Report', { classification: { $nin: [] } }),
      all: ({ can }) => can('read', 'Report', { compartments: { $all: ['HUMINT', 'SIGINT'] } }),
      'all (agency codes)': ({ can }, a) => can('read', 'Report', { releasableTo: { $all: [a[2].code] } }),
      subsetOf: ({ can }) => can('read', 'Report', { compartments: { $subsetOf: ['FININT'] } } as MongoQuery),
      and: ({ can }, a) => can('read', 'Report', { agencyId: a[0].id, tlp: 'GREEN', compartments: { $subsetOf: [] } } as MongoQuery),
      or: ({ can }) => {
        can('read', 'Report', { tlp: 'CLEAR' });
        can('read', 'Report', { classification: 'UNCLASSIFIED' });
      },
      'cannot after can': ({ can, cannot }) => {
        can('read', 'Report', { tlp: { $in: ['CLEAR', 'GREEN', 'AMBER'] } });
        cannot('read', 'Report', { compartments: { $all: ['HUMINT'] } });
      },
      'unconditional can, then cannot': ({ can, cannot }) => {
        can('read', 'Report');
        cannot('read', 'Report', { classification: 'TOP_SECRET' });
      },
      'unconditional can': ({ can }) => can('read', 'Report'),
      'unconditional cannot': ({ can, cannot }) => {
        can('read', 'Report', { tlp: 'CLEAR' });
        cannot('read', 'Report');
      },
      'other subject only': ({ can }) => can('read', 'Agency'),
      'a rule subsumed by a less restrictive one': ({ can }, a) => {
        can('read', 'Report', { tlp: 'GREEN', agencyId: a[1].id });
        can('read', 'Report', { tlp: 'GREEN' });
        can('read', 'Report', { tlp: 'RED', classification: 'SECRET' });
      },
      'the same rule twice': ({ can }) => {
        can('read', 'Report', { classification: { $in: ['SECRET', 'CONFIDENTIAL'] } });
        can('read', 'Report', { classification: { $in: ['SECRET', 'CONFIDENTIAL'] } });
      },
      'rules on one field with different values': ({ can }, a) => {
        can('read', 'Report', { agencyId: a[0].id });
        can('read', 'Report', { agencyId: a[2].id, tlp: 'AMBER' });
      },
    };
    const abilities = Object.entries(cases).map(([name, build]) => {
      const b = new AbilityBuilder<AppAbility>(createMongoAbility);
      build(b, agencies);
      return { name, ability: b.build({ conditionsMatcher: handMatcher, detectSubjectType: (o) => (o as { __type: SubjectName }).__type }) };
    });

    await fc.assert(
      fc.asyncProperty(fc.array(markingsArb, { minLength: 1, maxLength: 60, size: 'max' }), async (markings) => {
        const rows = await insertReports(markings);
        const ids = rows.map((r) => r.id);
        for (const { name, ability } of abilities) {
          const inMemory = memoryIds(ability, 'read', rows);
          expect({ name, ids: await sqlIds(ability, 'read', ids) }).toEqual({ name, ids: inMemory });
          expect({ name, branches: await branchIds(ability, 'read', ids) }).toEqual({ name, branches: inMemory });
        }
      }),
      { numRuns: 10 },
    );
  });
});

describe('accessibleSql agrees with ability.can for audit events (auditors by scope)', () => {
  const factory = new AbilityFactory();

  /**
   * Audit rows of random actors' agencies (or none: anonymous and system events). They are written to
   * audit_pending, which has the same columns as audit_event, inside this spec's rolled-back
   * transaction: the chain itself is never touched, and no chainer sees them.
   */
  const eventsArb = fc.array(fc.option(agencyIndex(), { nil: null }), { minLength: 0, maxLength: 40, size: 'max' });

  it('an auditor of the cell or of an oversight body sees every event; any other auditor only its agency’s; nobody else any', async () => {
    const pending = () => tx.manager.getRepository(AuditPending);
    const tally = { scoped: { allowed: 0, denied: 0 }, everything: 0, none: 0 };
    await fc.assert(
      fc.asyncProperty(eventsArb, fc.array(principalArb, { minLength: 1, maxLength: 4, size: 'max' }), async (actorAgencies, specs) => {
        if (actorAgencies.length === 0) return;
        const now = new Date();
        const { identifiers } = await pending().insert(
          actorAgencies.map((a) => ({
            at: now,
            actorId: a === null ? null : randomUUID(),
            agencyId: a === null ? null : agencies[a].id,
            action: 'test.event',
            resourceIds: [],
            outcome: 'ALLOWED' as const,
          })),
        );
        const ids = identifiers.map((i) => String(i.id));
        const rows = await pending().createQueryBuilder('e').where('e.id = ANY(:ids)', { ids }).getMany();
        for (const spec of specs) {
          const ability = factory.createFor(principalOf(spec));
          const inMemory = rows.filter((r) => ability.can('read', asSubject('AuditEvent', r))).map((r) => r.id).sort();
          const qb = pending().createQueryBuilder('e').select('e.id').where('e.id = ANY(:ids)', { ids });
          whereAccessible(qb, ability, 'read', 'AuditEvent');
          expect((await qb.getMany()).map((r) => r.id).sort()).toEqual(inMemory);
          // …and what it selects is the rule itself, not just whatever the SQL and the memory agree on.
          const expected = !spec.roles.includes('AUDITOR')
            ? []
            : spec.inFusionCell || spec.inOversightAgency
              ? rows.map((r) => r.id).sort()
              : rows.filter((r) => r.agencyId !== null && r.agencyId === principalOf(spec).agencyId).map((r) => r.id).sort();
          expect(inMemory).toEqual(expected);
          if (!spec.roles.includes('AUDITOR')) tally.none += rows.length;
          else if (spec.inFusionCell || spec.inOversightAgency) tally.everything += rows.length;
          else {
            tally.scoped.allowed += inMemory.length;
            tally.scoped.denied += rows.length - inMemory.length;
          }
        }
      }),
      { numRuns: 30 },
    );
    expect(tally.scoped.allowed).toBeGreaterThan(0);
    expect(tally.scoped.denied).toBeGreaterThan(0);
    expect(tally.everything).toBeGreaterThan(0);
    expect(tally.none).toBeGreaterThan(0);
  });

  it('translates a scoped auditor’s rule to one equality on the actor’s agency (no NULL agency passes)', () => {
    const auditor = principalOf({ agency: 1, inFusionCell: false, roles: ['AUDITOR'], clearance: 'UNCLASSIFIED', compartments: [] });
    const { sql, params } = accessibleSql(factory.createFor(auditor), 'read', 'AuditEvent', tx.manager.getRepository(AuditPending).createQueryBuilder('e'));
    expect(sql).toMatch(/^"e"\."agency_id" = :ntk_\d+$/);
    expect(Object.values(params)).toEqual([auditor.agencyId]);
    for (const over of [{ inFusionCell: true }, { inOversightAgency: true }]) {
      const wide = principalOf({ agency: 1, inFusionCell: false, roles: ['AUDITOR'], clearance: 'UNCLASSIFIED', compartments: [], ...over });
      expect(accessibleSql(factory.createFor(wide), 'read', 'AuditEvent', tx.manager.getRepository(AuditPending).createQueryBuilder('e')).sql).toBe('TRUE');
    }
  });
});

describe('accessibleSqlBranches', () => {
  const factory = new AbilityFactory();
  const qb = () => reports.createQueryBuilder('r');
  const spec = (over: Partial<PrincipalSpec>): PrincipalSpec => ({ agency: 0, inFusionCell: false, roles: ['OFFICER'], clearance: 'SECRET', compartments: [], ...over });

  it('gives an officer one branch per way in (own agency, shared, community TLP), a cell analyst one (everything cleared), AUDITOR none', () => {
    expect(accessibleSqlBranches(factory.createFor(principalOf(spec({}))), 'read', 'Report', qb())).toHaveLength(3);
    const analyst = accessibleSqlBranches(factory.createFor(principalOf(spec({ inFusionCell: true, roles: ['ANALYST'] }))), 'read', 'Report', qb());
    expect(analyst).toHaveLength(1);
    expect(analyst[0].sql).not.toMatch(/agency_id|releasable_to|tlp/);
    expect(accessibleSqlBranches(factory.createFor(principalOf(spec({ roles: ['AUDITOR'] }))), 'read', 'Report', qb())).toEqual([]);
  });

  it('carries a branch’s marking terms over to report_share, and only those', () => {
    const branches = accessibleSqlBranches(factory.createFor(principalOf(spec({}))), 'read', 'Report', qb());
    const shared = branches.find((b) => b.sql.includes('releasable_to'));
    const terms = branchTermsOver(shared!, reports.manager.getRepository(ReportShare).createQueryBuilder('s'), 'share');
    expect(terms.sql).toMatch(/"s"\."classification" = ANY\(:share_\d+\)/);
    expect(terms.sql).toMatch(/"s"\."compartments" <@ CAST\(:share_\d+ AS text\[\]\)/);
    expect(terms.sql).not.toMatch(/releasable_to|purged_at|"r"\./);
    // What it leaves out, for the caller to answer otherwise (a share row exists only for a live report releasable to its agency).
    const rest = branchTermsNotOver(shared!, reports.manager.getRepository(ReportShare).createQueryBuilder('s'));
    expect(rest?.map((t) => [(t as FieldCondition).field, t.operator, (t as FieldCondition).value])).toEqual(
      expect.arrayContaining([
        ['purgedAt', 'eq', null],
        ['releasableTo', 'all', [expect.any(String)]],
      ]),
    );
    expect(rest).toHaveLength(2);
    expect(branchTermsNotOver({ sql: 'x', params: {}, conditions: {}, ast: null }, reports.manager.getRepository(ReportShare).createQueryBuilder('s'))).toBeNull();
    // Not a plain AND of field terms (a cannot rule makes the whole translation): nothing to carry over.
    expect(branchTermsOver({ sql: 'x', params: {}, conditions: {}, ast: null }, reports.manager.getRepository(ReportShare).createQueryBuilder('s'), 'share')).toEqual({ sql: 'TRUE', params: {} });
  });

  it('keeps a cannot rule: one branch, the whole translation', () => {
    const ability = createMongoAbility<AppAbility>([
      { action: 'read', subject: 'Report', conditions: { tlp: 'CLEAR' } },
      { action: 'read', subject: 'Report', conditions: { tlp: 'GREEN' } },
      { action: 'read', subject: 'Report', conditions: { classification: 'TOP_SECRET' }, inverted: true },
    ]);
    const branches = accessibleSqlBranches(ability, 'read', 'Report', qb());
    expect(branches).toHaveLength(1);
    expect(branches[0].sql).toMatch(/NOT COALESCE/);
  });

  it('uses the column statistics: no COALESCE around = ANY on NOT NULL columns', () => {
    const ability = factory.createFor(principalOf(spec({})));
    for (const b of accessibleSqlBranches(ability, 'read', 'Report', qb())) expect(b.sql).not.toMatch(/COALESCE/);
  });
});

describe('accessibleSql fails closed', () => {
  const qb = () => reports.createQueryBuilder('r');

  it('answers FALSE when no rule grants the action (AUDITOR, ADMIN, or no rules at all)', () => {
    const factory = new AbilityFactory();
    for (const roles of [['AUDITOR'], ['ADMIN']] as Principal['roles'][]) {
      const ability = factory.createFor(principalOf({ agency: 0, inFusionCell: true, roles, clearance: 'TOP_SECRET', compartments: [...COMPARTMENTS] }));
      expect(accessibleSql(ability, 'read', 'Report', qb())).toEqual({ sql: 'FALSE', params: {} });
    }
    expect(accessibleSql(createMongoAbility<AppAbility>([]), 'read', 'Report', qb())).toEqual({ sql: 'FALSE', params: {} });
  });

  it('answers TRUE only for an unconditional rule', () => {
    const ability = createMongoAbility<AppAbility>([{ action: 'read', subject: 'Report' }]);
    expect(accessibleSql(ability, 'read', 'Report', qb()).sql).toBe('TRUE');
  });

  it('throws on an operator it cannot translate, rather than dropping the condition', () => {
    const unsupported = [
      { title: { $regex: '^secret' } },
      { informationCredibility: { $gt: 2 } },
      { compartments: { $size: 1 } },
      { location: { $exists: true } },
      { compartments: { $elemMatch: { $eq: 'HUMINT' } } },
    ];
    for (const conditions of unsupported) {
      const ability = createMongoAbility<AppAbility>([{ action: 'read', subject: 'Report', conditions } as never]);
      expect(() => accessibleSql(ability, 'read', 'Report', qb())).toThrow(/unsupported/);
    }
  });

  it('throws on a field the entity does not map', () => {
    const ability = createMongoAbility<AppAbility>([{ action: 'read', subject: 'Report', conditions: { noSuchField: 'x' } } as never]);
    expect(() => accessibleSql(ability, 'read', 'Report', qb())).toThrow(/unknown field "noSuchField"/);
  });

  it('keeps values out of the SQL text: they travel as parameters', () => {
    const evil = "x' OR '1'='1";
    const ability = createMongoAbility<AppAbility>([{ action: 'read', subject: 'Report', conditions: { tlp: evil, releasableTo: { $all: [evil] } } }]);
    const { sql, params } = accessibleSql(ability, 'read', 'Report', qb());
    expect(sql).not.toContain(evil);
    expect(Object.values(params)).toEqual(expect.arrayContaining([evil, [evil]]));
  });
});
