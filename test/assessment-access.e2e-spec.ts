// Over 300 lines: the assessment-read matrix and the SPEC oracle it is checked against are read together.
import { randomUUID } from 'node:crypto';
import type { Classification } from '../src/access/markings';
import type { Role } from '../src/access/roles';
import { TestApp, uniq } from './support/test-app';
import { createMigratedDatabase, dropDatabase } from './support/test-database';
import { type Actor, type AgencyRef, Fixtures } from './support/agencies-and-users';
import { reportBody } from './support/report-body';

// The assessment-read matrix (SPEC "Need-to-know rules", the Assessments paragraph; "Derivative
// marking"; workflow 3): every reader role × clearance × compartments × agency on / off the
// distribution, against published assessments of every classification × compartments × tearline ×
// distribution, plus a draft and one in review — through the single read and the list. What each reader
// gets (the full text, the tearline only, or a 404 indistinguishable from a missing id) is decided by an
// oracle written here from the SPEC, independently of the ability factory, and cross-checked against
// counts worked out by hand.
//
// Runs on a database of its own: publishing national assessments moves the threat-level
// recommendation, which fusion.e2e-spec steers on the shared database.

// ---------------------------------------------------------------------------------------------------
// The oracle: the SPEC's rules, written out again (deliberately not importing src/access).
// ---------------------------------------------------------------------------------------------------

const LEVELS = ['UNCLASSIFIED', 'RESTRICTED', 'CONFIDENTIAL', 'SECRET', 'TOP_SECRET'];
const covers = (held: string, required: string): boolean => LEVELS.indexOf(held) >= LEVELS.indexOf(required);
const holdsAll = (held: string[], needed: string[]): boolean => needed.every((c) => held.includes(c));

interface Reader {
  agency: { id: string; code: string; kind: string };
  roles: string[];
  clearance: string;
  compartments: string[];
}

const hasContentRole = (u: Reader): boolean => u.roles.some((r) => r === 'OFFICER' || r === 'ANALYST' || r === 'SUPERVISOR');
const isCellAnalyst = (u: Reader): boolean => u.agency.kind === 'FUSION_CELL' && u.roles.some((r) => r === 'ANALYST' || r === 'SUPERVISOR');

interface Tearline {
  summary: string;
  classification: Classification;
  tlp: string;
}
type Distribution = { all: true } | { agencyCodes: string[] };

interface AssessmentMarks {
  status: 'DRAFT' | 'IN_REVIEW' | 'PUBLISHED';
  classification: Classification;
  compartments: string[];
  tearline: Tearline | null;
  distribution: Distribution;
}

type View = 'FULL' | 'TEARLINE' | 'NOT_FOUND' | 'FORBIDDEN';

/** What one reader gets for one assessment. */
function oracleView(u: Reader, a: AssessmentMarks): View {
  // AUDITOR and ADMIN: no access to assessment content (separation of duties) — refused for the role.
  if (!hasContentRole(u)) return 'FORBIDDEN';
  const cleared = covers(u.clearance, a.classification) && holdsAll(u.compartments, a.compartments);
  const cell = isCellAnalyst(u);
  // Drafts (and assessments in review) stay inside the cell, clearance permitting; no tearline yet.
  if (a.status !== 'PUBLISHED') return cell && cleared ? 'FULL' : 'NOT_FOUND';
  // `all` is every active agency — the fusion cell included.
  const onDistribution = 'all' in a.distribution || a.distribution.agencyCodes.includes(u.agency.code);
  if ((cell || onDistribution) && cleared) return 'FULL';
  if (a.tearline && (cell || onDistribution) && covers(u.clearance, a.tearline.classification)) return 'TEARLINE';
  return 'NOT_FOUND';
}

interface ReportMarks {
  agencyId: string;
  classification: Classification;
  compartments: string[];
  tlp: string;
  releasableTo: string[];
}

/** Need-to-know for a report (SPEC rules 1–4), for the cited report ids a FULL view may disclose. */
function oracleMayReadReport(u: Reader, r: ReportMarks): boolean {
  if (!hasContentRole(u)) return false;
  if (!covers(u.clearance, r.classification) || !holdsAll(u.compartments, r.compartments)) return false;
  return r.agencyId === u.agency.id || isCellAnalyst(u) || r.releasableTo.includes(u.agency.code) || r.tlp === 'GREEN' || r.tlp === 'CLEAR';
}

// ---------------------------------------------------------------------------------------------------
// The matrix.
// ---------------------------------------------------------------------------------------------------

/** ON is the one agency named in `{agencyCodes}` distributions; OFF only gets `{all: true}` ones. */
type AgencyKey = 'ON' | 'OFF' | 'CELL';

interface ReaderSpec {
  label: string;
  agency: AgencyKey;
  roles: Role[];
  clearance: Classification;
  compartments: string[];
  /**
   * How many of the 38 assessments this reader gets in full / as tearline only, counted by hand from
   * the SPEC (the oracle must agree, so a slip in the oracle cannot silently agree with one in the code).
   * Of the 36 published: 12 per classification, 18 per compartment set, 12 per tearline (none / U / R),
   * 18 per distribution. Plus a SECRET [] draft and a RESTRICTED [HUMINT] assessment in review.
   */
  hand: { full: number; tearline: number };
}

const CONTENT_READERS: ReaderSpec[] = [
  // ON agency: on every distribution.
  { label: 'ON officer TS [HUMINT]', agency: 'ON', roles: ['OFFICER'], clearance: 'TOP_SECRET', compartments: ['HUMINT'], hand: { full: 36, tearline: 0 } },
  // Cleared for the 18 without compartments; 12 of the 18 [HUMINT] ones have a tearline.
  { label: 'ON officer TS []', agency: 'ON', roles: ['OFFICER'], clearance: 'TOP_SECRET', compartments: [], hand: { full: 18, tearline: 12 } },
  // R or S, []: 2×3×2 = 12; of the other 24, 16 have a tearline (U and R are both within SECRET).
  { label: 'ON officer SECRET []', agency: 'ON', roles: ['OFFICER'], clearance: 'SECRET', compartments: [], hand: { full: 12, tearline: 16 } },
  // R, []: 3×2 = 6; of the other 30, 20 have a tearline.
  { label: 'ON officer RESTRICTED []', agency: 'ON', roles: ['OFFICER'], clearance: 'RESTRICTED', compartments: [], hand: { full: 6, tearline: 20 } },
  // Nothing in full; the 12 UNCLASSIFIED tearlines.
  { label: 'ON officer UNCLASSIFIED []', agency: 'ON', roles: ['OFFICER'], clearance: 'UNCLASSIFIED', compartments: [], hand: { full: 0, tearline: 12 } },
  // OFF agency: the 18 {all} ones only; off the distribution means no tearline either.
  { label: 'OFF officer TS [HUMINT]', agency: 'OFF', roles: ['OFFICER'], clearance: 'TOP_SECRET', compartments: ['HUMINT'], hand: { full: 18, tearline: 0 } },
  // Of the 18 {all}: R, [] = 3; of the other 15, 10 have a tearline.
  { label: 'OFF officer RESTRICTED []', agency: 'OFF', roles: ['OFFICER'], clearance: 'RESTRICTED', compartments: [], hand: { full: 3, tearline: 10 } },
  // A fusion-cell member who is not an analyst: the cell is on {all} only, drafts are not for officers.
  // Of the 18 {all}: R or S, [] = 6; of the other 12, 8 have a tearline.
  { label: 'fusion OFFICER SECRET []', agency: 'CELL', roles: ['OFFICER'], clearance: 'SECRET', compartments: [], hand: { full: 6, tearline: 8 } },
  // The cell's analysts: every assessment their clearance covers, on the distribution or not.
  { label: 'fusion ANALYST TS [HUMINT] (the author)', agency: 'CELL', roles: ['ANALYST'], clearance: 'TOP_SECRET', compartments: ['HUMINT'], hand: { full: 38, tearline: 0 } },
  // Published R or S, []: 12, plus the SECRET [] draft; of the other 24 published, 16 have a tearline.
  { label: 'fusion ANALYST SECRET []', agency: 'CELL', roles: ['ANALYST'], clearance: 'SECRET', compartments: [], hand: { full: 13, tearline: 16 } },
  { label: 'fusion ANALYST UNCLASSIFIED []', agency: 'CELL', roles: ['ANALYST'], clearance: 'UNCLASSIFIED', compartments: [], hand: { full: 0, tearline: 12 } },
  { label: 'fusion SUPERVISOR TS [HUMINT] (the publisher)', agency: 'CELL', roles: ['SUPERVISOR'], clearance: 'TOP_SECRET', compartments: ['HUMINT'], hand: { full: 38, tearline: 0 } },
  // Published R (either compartment set): 12, plus the RESTRICTED [HUMINT] one in review; 16 tearlines.
  { label: 'fusion SUPERVISOR RESTRICTED [HUMINT]', agency: 'CELL', roles: ['SUPERVISOR'], clearance: 'RESTRICTED', compartments: ['HUMINT'], hand: { full: 13, tearline: 16 } },
];

const AUDITOR: ReaderSpec = { label: 'AUDITOR TS [HUMINT]', agency: 'CELL', roles: ['AUDITOR'], clearance: 'TOP_SECRET', compartments: ['HUMINT'], hand: { full: 0, tearline: 0 } };
const AUTHOR = CONTENT_READERS.find((r) => r.label.includes('(the author)'))!;
const PUBLISHER = CONTENT_READERS.find((r) => r.label.includes('(the publisher)'))!;

const CLASSIFICATIONS_USED: Classification[] = ['RESTRICTED', 'SECRET', 'TOP_SECRET'];
const COMPARTMENT_SETS: string[][] = [[], ['HUMINT']];
const TEARLINES_USED: (Classification | null)[] = [null, 'UNCLASSIFIED', 'RESTRICTED'];
const DISTRIBUTIONS_USED = ['all', 'on'] as const;
const PUBLISHED_COUNT = CLASSIFICATIONS_USED.length * COMPARTMENT_SETS.length * TEARLINES_USED.length * DISTRIBUTIONS_USED.length; // 36

/** The reports the assessments cite, from two agencies, so FULL views have ids to withhold. */
type ReportKey = 'onRestricted' | 'onSecretHumint' | 'offRestrictedGreen' | 'offSecret';
const REPORT_SPECS: Record<ReportKey, { by: 'ON' | 'OFF'; classification: Classification; compartments: string[]; tlp: string; releasedToOff: boolean }> = {
  // Released to OFF by name (rule 3).
  onRestricted: { by: 'ON', classification: 'RESTRICTED', compartments: [], tlp: 'AMBER', releasedToOff: true },
  onSecretHumint: { by: 'ON', classification: 'SECRET', compartments: ['HUMINT'], tlp: 'RED', releasedToOff: false },
  // Community-wide (rule 4).
  offRestrictedGreen: { by: 'OFF', classification: 'RESTRICTED', compartments: [], tlp: 'GREEN', releasedToOff: false },
  offSecret: { by: 'OFF', classification: 'SECRET', compartments: [], tlp: 'AMBER', releasedToOff: false },
};

interface Made extends AssessmentMarks {
  id: string;
  label: string;
  createdAt: string;
  reportIds: string[];
}

interface Report extends ReportMarks {
  id: string;
  key: ReportKey;
}

const withoutRequestId = (body: Record<string, unknown>): Record<string, unknown> => {
  const { requestId: _requestId, ...rest } = body;
  return rest;
};

const FULL_KEYS = [
  'authorId',
  'body',
  'classification',
  'compartments',
  'createdAt',
  'distribution',
  'id',
  'keyJudgements',
  'likelihood',
  'publishedAt',
  'publishedBy',
  'recommendedLevel',
  'region',
  'reportIds',
  'scope',
  'sectors',
  'status',
  'submittedAt',
  'supersededAt',
  'supersededBy',
  'supersedes',
  'tearline',
  'title',
  'tlp',
  'updatedAt',
  'validUntil',
  'variant',
];
/** The cell's workflow fields: a reader outside the cell gets the full text without them (SPEC S1). */
const WORKFLOW_KEYS = ['authorId', 'distribution', 'publishedBy', 'submittedAt'];
const OUTSIDER_FULL_KEYS = FULL_KEYS.filter((k) => !WORKFLOW_KEYS.includes(k));

describe('assessment access matrix: role × clearance × compartments × distribution × tearline, on the read and the list', () => {
  const dbName = `fusion_assessment_access_${Date.now()}_${process.pid}`;
  const previousDatabaseUrl = process.env.DATABASE_URL;
  let t: TestApp;
  let fx: Fixtures;
  const agencies = {} as Record<AgencyKey, AgencyRef>;
  const actors = new Map<string, Actor>();
  const reports: Report[] = [];
  const made: Made[] = [];
  /** A word in every title and body of this run's assessments: it must never reach a reader who is not given the full text. */
  const marker = `aa${uniq().toLowerCase()}`;

  const actor = (spec: ReaderSpec): Actor => {
    const a = actors.get(spec.label);
    if (!a) throw new Error(`no actor for ${spec.label}`);
    return a;
  };
  const readerOf = (a: Actor): Reader => ({ agency: a.agency, roles: a.roles, clearance: a.clearance, compartments: a.compartments });
  const expectedViews = (a: Actor): Map<string, View> => new Map(made.map((m) => [m.id, oracleView(readerOf(a), m)]));
  const readableReportIds = (a: Actor, cited: string[]): string[] =>
    cited.filter((id) => oracleMayReadReport(readerOf(a), reports.find((r) => r.id === id)!));
  const unreadableReportIds = (a: Actor): string[] => reports.filter((r) => !oracleMayReadReport(readerOf(a), r)).map((r) => r.id);

  /** Every page of GET /api/v1/assessments, following nextCursor. */
  const pageThrough = (a: Actor, query: Record<string, string>) => t.allPages<Record<string, any>>('/api/v1/assessments', a.token, query, 200);

  /** The exact body a reader gets for `m` in the given view (FULL: the checked fields; the rest is shape-checked). */
  const expectView = (a: Actor, m: Made, view: View, body: Record<string, any>) => {
    if (view === 'TEARLINE') {
      // Exactly {id, variant, tearline}: not one other key (no title, no status, no markings).
      expect(body).toEqual({ id: m.id, variant: 'TEARLINE', tearline: m.tearline });
      return;
    }
    const inCell = a.agency.id === agencies.CELL.id;
    expect({ reader: a.username, keys: Object.keys(body).sort() }).toEqual({ reader: a.username, keys: inCell ? FULL_KEYS : OUTSIDER_FULL_KEYS });
    expect(body).toMatchObject({
      id: m.id,
      variant: 'FULL',
      status: m.status,
      classification: m.classification,
      compartments: m.compartments,
      ...(inCell ? { distribution: m.distribution } : {}),
      tearline: m.tearline,
      createdAt: m.createdAt,
    });
    // Cited reports the reader may not read are not disclosed — exactly the readable ones, in citation order.
    expect({ assessment: m.label, reportIds: body.reportIds }).toEqual({ assessment: m.label, reportIds: readableReportIds(a, m.reportIds) });
  };

  beforeAll(async () => {
    process.env.DATABASE_URL = await createMigratedDatabase(dbName);
    t = await TestApp.start();
    fx = new Fixtures(t);
    agencies.CELL = await fx.fusionCell();
    agencies.ON = await fx.agency('POLICE', 'TOP_SECRET');
    agencies.OFF = await fx.agency('CUSTOMS', 'TOP_SECRET');
    for (const spec of [...CONTENT_READERS, AUDITOR]) {
      actors.set(spec.label, await fx.user(agencies[spec.agency], spec.roles, spec.clearance, spec.compartments));
    }

    // Reports, submitted by a TS [HUMINT] officer of each agency.
    const submitters = { ON: actor(CONTENT_READERS[0]), OFF: actor(CONTENT_READERS.find((r) => r.label === 'OFF officer TS [HUMINT]')!) };
    for (const [key, spec] of Object.entries(REPORT_SPECS) as [ReportKey, (typeof REPORT_SPECS)[ReportKey]][]) {
      const by = submitters[spec.by];
      const releasableTo = spec.releasedToOff ? [agencies.OFF.code] : [];
      const res = await t.post('/api/v1/reports', {
        token: by.token,
        body: reportBody({ title: `Cited report ${key}`, classification: spec.classification, compartments: spec.compartments, tlp: spec.tlp, releasableTo, entities: [] }),
      });
      if (res.status !== 201) throw new Error(`report ${key} → ${res.status} ${res.text}`);
      reports.push({ id: res.body.id, key, agencyId: by.agency.id, classification: spec.classification, compartments: spec.compartments, tlp: spec.tlp, releasableTo });
    }

    const author = actor(AUTHOR);
    const publisher = actor(PUBLISHER);
    const draft = async (label: string, marks: Omit<AssessmentMarks, 'status'>): Promise<Made> => {
      // Cite every report the marking covers (derivative marking: classification and compartments; TLP RED covers any TLP).
      const reportIds = reports.filter((r) => covers(marks.classification, r.classification) && holdsAll(marks.compartments, r.compartments)).map((r) => r.id);
      const res = await t.post('/api/v1/assessments', {
        token: author.token,
        body: {
          title: `Assessment ${marker} ${label}`,
          keyJudgements: [`Judgement ${marker}`],
          body: `Body ${marker} of ${label}.`,
          likelihood: 'LIKELY',
          recommendedLevel: 'SUBSTANTIAL',
          scope: 'NATIONAL',
          sectors: ['TRANSPORT'],
          reportIds,
          classification: marks.classification,
          compartments: marks.compartments,
          tlp: 'RED',
          validUntil: new Date(Date.now() + 30 * 86_400_000).toISOString(),
          distribution: marks.distribution,
          ...(marks.tearline ? { tearline: marks.tearline } : {}),
        },
      });
      if (res.status !== 201) throw new Error(`assessment ${label} → ${res.status} ${res.text}`);
      return { id: res.body.id, label, createdAt: res.body.createdAt, reportIds, status: 'DRAFT', ...marks };
    };
    const submit = async (m: Made): Promise<void> => {
      const res = await t.post(`/api/v1/assessments/${m.id}/submit`, { token: author.token });
      if (res.status !== 200) throw new Error(`submit ${m.label} → ${res.status} ${res.text}`);
      m.status = 'IN_REVIEW';
    };

    for (const classification of CLASSIFICATIONS_USED) {
      for (const compartments of COMPARTMENT_SETS) {
        for (const tearlineLevel of TEARLINES_USED) {
          for (const dist of DISTRIBUTIONS_USED) {
            const label = `${classification} [${compartments.join(',')}] tearline:${tearlineLevel ?? 'none'} dist:${dist}`;
            const tearline = tearlineLevel ? { summary: `Tearline of ${label}`, classification: tearlineLevel, tlp: 'GREEN' } : null;
            const distribution: Distribution = dist === 'all' ? { all: true } : { agencyCodes: [agencies.ON.code] };
            const m = await draft(label, { classification, compartments, tearline, distribution });
            await submit(m);
            const res = await t.post(`/api/v1/assessments/${m.id}/publish`, { token: publisher.token });
            if (res.status !== 200) throw new Error(`publish ${label} → ${res.status} ${res.text}`);
            m.status = 'PUBLISHED';
            made.push(m);
          }
        }
      }
    }
    // Not published: each with a tearline and distribution {all}, which must not let anyone outside the cell in.
    const tearline = (label: string): Tearline => ({ summary: `Tearline of ${label}`, classification: 'UNCLASSIFIED', tlp: 'CLEAR' });
    made.push(await draft('DRAFT SECRET []', { classification: 'SECRET', compartments: [], tearline: tearline('DRAFT'), distribution: { all: true } }));
    const inReview = await draft('IN_REVIEW RESTRICTED [HUMINT]', { classification: 'RESTRICTED', compartments: ['HUMINT'], tearline: tearline('IN_REVIEW'), distribution: { all: true } });
    await submit(inReview);
    made.push(inReview);
  }, 120_000); // every user is created, then approved by the second ADMIN (SPEC S1 four eyes): more than the default 30 s on a busy machine

  afterAll(async () => {
    await t?.close();
    await dropDatabase(dbName);
    process.env.DATABASE_URL = previousDatabaseUrl;
  });

  it('made every marking combination, and the oracle agrees with the counts worked out by hand', () => {
    expect(made.filter((m) => m.status === 'PUBLISHED')).toHaveLength(PUBLISHED_COUNT);
    expect(made.map((m) => m.status).filter((s) => s !== 'PUBLISHED').sort()).toEqual(['DRAFT', 'IN_REVIEW']);
    expect(new Set(made.map((m) => m.label)).size).toBe(made.length);
    for (const spec of CONTENT_READERS) {
      const views = [...expectedViews(actor(spec)).values()];
      const counted = { full: views.filter((v) => v === 'FULL').length, tearline: views.filter((v) => v === 'TEARLINE').length };
      expect({ reader: spec.label, ...counted }).toEqual({ reader: spec.label, ...spec.hand });
    }
    expect([...expectedViews(actor(AUDITOR)).values()].every((v) => v === 'FORBIDDEN')).toBe(true);
    // Two cited-report disclosures worked out by hand, so the report oracle is checked as well.
    const byLabel = (label: string) => made.find((m) => m.label === label)!;
    const reportKeys = (a: Actor, m: Made) => readableReportIds(a, m.reportIds).map((id) => reports.find((r) => r.id === id)!.key);
    // ON SECRET []: its own RESTRICTED report and OFF's GREEN one; not OFF's AMBER SECRET report.
    expect(reportKeys(actor(CONTENT_READERS[2]), byLabel('SECRET [] tearline:none dist:all'))).toEqual(['onRestricted', 'offRestrictedGreen']);
    // OFF TS [HUMINT]: ON's report released to it, and its own; not ON's RED [HUMINT] report.
    expect(reportKeys(actor(CONTENT_READERS[5]), byLabel('TOP_SECRET [HUMINT] tearline:none dist:all'))).toEqual(['onRestricted', 'offRestrictedGreen', 'offSecret']);
    expect(byLabel('TOP_SECRET [HUMINT] tearline:none dist:all').reportIds).toHaveLength(4);
  });

  describe('GET /api/v1/assessments/:id', () => {
    it.each(CONTENT_READERS)('$label: full text, tearline only, or a 404 indistinguishable from a missing id; audited', async (spec) => {
      const a = actor(spec);
      const expected = expectedViews(a);
      const hidden = unreadableReportIds(a);

      const missing = await t.get(`/api/v1/assessments/${randomUUID()}`, { token: a.token });
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ statusCode: 404, error: 'Not Found', code: 'NOT_FOUND', message: expect.any(String), requestId: expect.any(String) });

      const results = await Promise.all(made.map(async (m) => ({ m, res: await t.get(`/api/v1/assessments/${m.id}`, { token: a.token }) })));
      for (const { m, res } of results) {
        const view = expected.get(m.id)!;
        const got = res.status === 200 ? (res.body.variant as string) : res.status === 404 ? 'NOT_FOUND' : `HTTP ${res.status}`;
        expect({ assessment: m.label, view: got }).toEqual({ assessment: m.label, view });
        if (view === 'NOT_FOUND') {
          // Existence is not disclosed: the same body (request id aside) and the same headers as a missing id.
          expect(withoutRequestId(res.body)).toEqual(withoutRequestId(missing.body));
          expect(Object.keys(res.headers).sort()).toEqual(Object.keys(missing.headers).sort());
        } else {
          expectView(a, m, view, res.body);
        }
        if (view !== 'FULL') expect(res.text).not.toContain(marker);
        // No cited report id the reader may not read, in any response.
        for (const id of hidden) expect({ assessment: m.label, leaks: res.text.includes(id) }).toEqual({ assessment: m.label, leaks: false });
      }

      // Every read is audited: ALLOWED with the variant served, DENIED for the 404s.
      await t.audit.flush();
      const rows: { resource_id: string; outcome: string; variant: string | null }[] = await t.ds.query(
        `SELECT resource_id, outcome, details->>'variant' AS variant FROM audit_event WHERE action = 'assessment.read' AND actor_id = $1 AND resource_id = ANY($2::text[])`,
        [a.id, made.map((m) => m.id)],
      );
      const seen = rows.map((r) => `${r.resource_id} ${r.outcome} ${r.variant ?? '-'}`).sort();
      const want = made.map((m) => {
        const view = expected.get(m.id)!;
        return view === 'NOT_FOUND' ? `${m.id} DENIED -` : `${m.id} ALLOWED ${view}`;
      });
      expect(seen).toEqual(want.sort());
    });
  });

  describe('GET /api/v1/assessments (list, every page)', () => {
    it.each(CONTENT_READERS)('$label: exactly the readable assessments, each in its variant, newest first, the same with any page size or status filter', async (spec) => {
      const a = actor(spec);
      const expected = expectedViews(a);
      const hidden = unreadableReportIds(a);
      const visible = made
        .filter((m) => expected.get(m.id) === 'FULL' || expected.get(m.id) === 'TEARLINE')
        .sort((x, y) => y.createdAt.localeCompare(x.createdAt) || y.id.localeCompare(x.id));

      const { items, pages } = await pageThrough(a, { limit: '200' });
      expect(pages).toHaveLength(1);
      expect(items.map((i) => `${i.id} ${i.variant}`)).toEqual(visible.map((m) => `${m.id} ${expected.get(m.id)}`));
      for (const item of items) {
        const m = made.find((x) => x.id === item.id)!;
        const view = expected.get(m.id)!;
        expectView(a, m, view, item);
        if (view === 'FULL') {
          // The list serves what the single read serves.
          const single = await t.get(`/api/v1/assessments/${m.id}`, { token: a.token });
          expect(item).toEqual(single.body);
        }
      }
      for (const page of pages) {
        for (const id of hidden) expect(page.text.includes(id)).toBe(false);
        // The title and body of what is served as tearline only (or not at all) stay out of the page.
        const fullCount = page.body.items.filter((i) => i.variant === 'FULL').length;
        expect(page.text.split(marker).length - 1).toBe(fullCount * 3);
      }

      // Small pages: the filter is applied before the limit, so no gaps, no repeats, full pages until the last.
      const small = await pageThrough(a, { limit: '5' });
      expect(small.items.map((i) => `${i.id} ${i.variant}`)).toEqual(items.map((i) => `${i.id} ${i.variant}`));
      expect(small.pages).toHaveLength(Math.max(1, Math.ceil(visible.length / 5)));
      expect(small.pages.slice(0, -1).every((p) => p.body.items.length === 5)).toBe(true);

      for (const status of ['DRAFT', 'IN_REVIEW', 'PUBLISHED'] as const) {
        const filtered = await pageThrough(a, { limit: '200', status });
        expect({ status, items: filtered.items.map((i) => `${i.id} ${i.variant}`) }).toEqual({
          status,
          items: visible.filter((m) => m.status === status).map((m) => `${m.id} ${expected.get(m.id)}`),
        });
      }
    });
  });

  describe('AUDITOR and ADMIN (no access to content)', () => {
    it.each(['AUDITOR', 'ADMIN'])('%s: an empty list and 404 on the single read of every assessment, even an UNCLASSIFIED tearline', async (who) => {
      const token = who === 'ADMIN' ? await fx.admin() : actor(AUDITOR).token;
      const responses = [
        await t.get('/api/v1/assessments', { token }),
        await t.get('/api/v1/assessments', { token, query: { limit: '200', status: 'PUBLISHED' } }),
        await t.get(`/api/v1/assessments/${randomUUID()}`, { token }),
        ...(await Promise.all(made.map((m) => t.get(`/api/v1/assessments/${m.id}`, { token })))),
      ];
      const [list, filtered, ...singles] = responses;
      expect([list.status, filtered.status]).toEqual([200, 200]);
      expect(list.body).toEqual({ items: [], nextCursor: null });
      expect(filtered.body).toEqual({ items: [], nextCursor: null });
      for (const res of singles) {
        expect(res.status).toBe(404);
        expect(Object.keys(res.body).sort()).toEqual(['code', 'error', 'message', 'requestId', 'statusCode']);
      }
      for (const res of responses) {
        expect(res.text).not.toContain(marker);
        expect(res.text).not.toContain('Tearline of');
      }
    });
  });
});
