// Over 300 lines: the need-to-know matrix and the SPEC oracle it is checked against are read together.
import { randomUUID } from 'node:crypto';
import type { Classification } from '../src/access/markings';
import type { Role } from '../src/access/roles';
import { ReportsService } from '../src/reports/reports.service';
import { type Page, type Res, TestApp, uniq } from './support/test-app';
import { type Actor, type AgencyRef, Fixtures } from './support/agencies-and-users';
import { reportBody } from './support/report-body';

// The need-to-know matrix (SPEC "Need-to-know rules"): every reader role × classification ×
// compartments × TLP × releasableTo, through every endpoint that reads reports — the single read, the
// list and the search. What each reader may see is decided by an oracle written here from the SPEC,
// independently of the ability factory, and cross-checked against counts worked out by hand.

// ---------------------------------------------------------------------------------------------------
// The oracle: the SPEC's rules, written out again (deliberately not importing src/access).
// ---------------------------------------------------------------------------------------------------

const LEVELS = ['UNCLASSIFIED', 'RESTRICTED', 'CONFIDENTIAL', 'SECRET', 'TOP_SECRET'];

interface Marked {
  agencyId: string;
  classification: string;
  compartments: string[];
  tlp: string;
  releasableTo: string[];
}

interface Reader {
  agency: { id: string; code: string; kind: string };
  roles: string[];
  clearance: string;
  compartments: string[];
}

function oracleMayRead(u: Reader, r: Marked): boolean {
  // AUDITOR and ADMIN get nothing through their role; content needs OFFICER, ANALYST or SUPERVISOR.
  if (!u.roles.some((role) => role === 'OFFICER' || role === 'ANALYST' || role === 'SUPERVISOR')) return false;
  // Always bounded by clearance and compartments.
  if (LEVELS.indexOf(r.classification) > LEVELS.indexOf(u.clearance)) return false;
  if (!r.compartments.every((c) => u.compartments.includes(c))) return false;
  const originator = r.agencyId === u.agency.id;
  const cellAnalyst = u.agency.kind === 'FUSION_CELL' && u.roles.some((role) => role === 'ANALYST' || role === 'SUPERVISOR');
  const sharedWithMe = r.releasableTo.includes(u.agency.code);
  const communityWide = r.tlp === 'GREEN' || r.tlp === 'CLEAR';
  return originator || cellAnalyst || sharedWithMe || communityWide;
}

// ---------------------------------------------------------------------------------------------------
// The matrix.
// ---------------------------------------------------------------------------------------------------

type AgencyKey = 'POLICE' | 'CUSTOMS' | 'BORDER' | 'CELL';

interface ReaderSpec {
  label: string;
  agency: AgencyKey;
  roles: Role[];
  clearance: Classification;
  compartments: string[];
  /**
   * How many of the 60 reports this reader may read, counted by hand from the SPEC (the oracle must
   * agree, so a slip in the oracle cannot silently agree with a slip in the code).
   */
  handCount: number;
}

const CLASSIFICATIONS_USED: Classification[] = ['UNCLASSIFIED', 'CONFIDENTIAL', 'TOP_SECRET'];
const COMPARTMENT_SETS: string[][] = [[], ['HUMINT']];
const TLPS_USED = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];
const RELEASE_TO_CUSTOMS = [false, true];
const REPORT_COUNT = CLASSIFICATIONS_USED.length * COMPARTMENT_SETS.length * TLPS_USED.length * RELEASE_TO_CUSTOMS.length; // 60

// Of the 60 reports: 20 per classification, 30 per compartment set, 12 per TLP, 30 per releasableTo.
const CONTENT_READERS: ReaderSpec[] = [
  // The originating agency: everything its clearance and compartments allow (rule 1).
  { label: 'POLICE officer TS [HUMINT] (originator)', agency: 'POLICE', roles: ['OFFICER'], clearance: 'TOP_SECRET', compartments: ['HUMINT'], handCount: 60 },
  { label: 'POLICE officer CONFIDENTIAL [] (originator)', agency: 'POLICE', roles: ['OFFICER'], clearance: 'CONFIDENTIAL', compartments: [], handCount: 20 },
  // The cell's analysts: everything submitted, clearance permitting (rule 2).
  { label: 'fusion ANALYST TS [HUMINT]', agency: 'CELL', roles: ['ANALYST'], clearance: 'TOP_SECRET', compartments: ['HUMINT'], handCount: 60 },
  { label: 'fusion ANALYST CONFIDENTIAL []', agency: 'CELL', roles: ['ANALYST'], clearance: 'CONFIDENTIAL', compartments: [], handCount: 20 },
  { label: 'fusion SUPERVISOR SECRET [HUMINT]', agency: 'CELL', roles: ['SUPERVISOR'], clearance: 'SECRET', compartments: ['HUMINT'], handCount: 40 },
  // A fusion-cell member who is not an analyst gets no rule 2: community TLP only (2 TLPs × 12).
  { label: 'fusion OFFICER TS [HUMINT]', agency: 'CELL', roles: ['OFFICER'], clearance: 'TOP_SECRET', compartments: ['HUMINT'], handCount: 24 },
  // Explicit share (rule 3): 30 released to CUSTOMS + 12 community-wide among the other 30.
  { label: 'CUSTOMS officer TS [HUMINT]', agency: 'CUSTOMS', roles: ['OFFICER'], clearance: 'TOP_SECRET', compartments: ['HUMINT'], handCount: 42 },
  // U/C without compartments: 20 candidates, 10 released to CUSTOMS + 4 community-wide.
  { label: 'CUSTOMS officer SECRET []', agency: 'CUSTOMS', roles: ['OFFICER'], clearance: 'SECRET', compartments: [], handCount: 14 },
  // Community TLP only (rule 4).
  { label: 'BORDER officer TS [HUMINT]', agency: 'BORDER', roles: ['OFFICER'], clearance: 'TOP_SECRET', compartments: ['HUMINT'], handCount: 24 },
  // UNCLASSIFIED without compartments: 10 candidates, 4 of them CLEAR/GREEN.
  { label: 'BORDER officer UNCLASSIFIED []', agency: 'BORDER', roles: ['OFFICER'], clearance: 'UNCLASSIFIED', compartments: [], handCount: 4 },
];

const OVERSIGHT_READERS: ReaderSpec[] = [
  { label: 'AUDITOR', agency: 'CELL', roles: ['AUDITOR'], clearance: 'TOP_SECRET', compartments: ['HUMINT'], handCount: 0 },
  { label: 'ADMIN', agency: 'CELL', roles: ['ADMIN'], clearance: 'TOP_SECRET', compartments: ['HUMINT'], handCount: 0 },
];

const SOURCE_DESCRIPTION = 'Handled by DS Example; the source is a shop employee — originator only';

interface Submitted extends Marked {
  id: string;
  createdAt: string;
}

interface ListItem extends Marked {
  id: string;
  createdAt: string;
  sourceDescription?: string | null;
  [key: string]: unknown;
}

type PageBody = Page<ListItem>;

const sortIds = (ids: Iterable<string>): string[] => [...ids].sort();
const withoutRequestId = (body: Record<string, unknown>): Record<string, unknown> => {
  const { requestId: _requestId, ...rest } = body;
  return rest;
};
const requestIdOf = (res: Res): string => String(res.headers['x-request-id']);

describe('need-to-know matrix: role × classification × compartments × TLP × releasableTo, on every reading endpoint', () => {
  let t: TestApp;
  let fx: Fixtures;
  /** A word that appears in the narrative of this run's reports only (search scope). */
  const token = `ntk${uniq().toLowerCase()}`;
  const agencies = {} as Record<AgencyKey, AgencyRef>;
  const actors = new Map<string, Actor>();
  const reports: Submitted[] = [];
  const ourIds = new Set<string>();

  const actor = (spec: ReaderSpec): Actor => {
    const a = actors.get(spec.label);
    if (!a) throw new Error(`no actor for ${spec.label}`);
    return a;
  };
  const readerOf = (a: Actor): Reader => ({ agency: a.agency, roles: a.roles, clearance: a.clearance, compartments: a.compartments });
  const expectedIds = (a: Actor): Set<string> => new Set(reports.filter((r) => oracleMayRead(readerOf(a), r)).map((r) => r.id));

  /** Every page of GET /api/v1/reports for `query`, following nextCursor. */
  const pageThrough = (a: Actor, query: Record<string, string>) => t.allPages<ListItem>('/api/v1/reports', a.token, query);

  /** The list audit events written for these requests, by request id. */
  const listAudit = async (requestIds: string[]) => {
    await t.audit.flush();
    const rows: { request_id: string; actor_id: string; outcome: string; resource_ids: string[] }[] = await t.ds.query(
      `SELECT request_id, actor_id, outcome, resource_ids FROM audit_event WHERE action = 'report.list' AND request_id = ANY($1::text[])`,
      [requestIds],
    );
    return rows;
  };

  /** sourceDescription: present (with its value) for the originating agency only, absent (no key) for anyone else. */
  const expectSourceHandling = (a: Actor, item: ListItem) => {
    if (item.agencyId === a.agency.id) {
      expect(item).toHaveProperty('sourceDescription');
      if (ourIds.has(item.id)) expect(item.sourceDescription).toBe(SOURCE_DESCRIPTION);
    } else {
      expect(Object.keys(item)).not.toContain('sourceDescription');
    }
  };

  beforeAll(async () => {
    t = await TestApp.start();
    fx = new Fixtures(t);
    agencies.CELL = await fx.fusionCell();
    agencies.POLICE = await fx.agency('POLICE', 'TOP_SECRET');
    agencies.CUSTOMS = await fx.agency('CUSTOMS', 'TOP_SECRET');
    agencies.BORDER = await fx.agency('BORDER', 'TOP_SECRET');
    for (const spec of [...CONTENT_READERS, ...OVERSIGHT_READERS]) {
      actors.set(spec.label, await fx.user(agencies[spec.agency], spec.roles, spec.clearance, spec.compartments));
    }

    const originator = actor(CONTENT_READERS[0]);
    for (const classification of CLASSIFICATIONS_USED) {
      for (const compartments of COMPARTMENT_SETS) {
        for (const tlp of TLPS_USED) {
          for (const toCustoms of RELEASE_TO_CUSTOMS) {
            const releasableTo = toCustoms ? [agencies.CUSTOMS.code] : [];
            const label = `${classification} [${compartments.join(',')}] TLP:${tlp} rel:[${toCustoms ? 'CUSTOMS' : ''}]`;
            const res = await t.post('/api/v1/reports', {
              token: originator.token,
              body: reportBody({
                title: `Need-to-know matrix ${label}`,
                narrative: `Matrix report ${token} marked ${label}.`,
                classification,
                compartments,
                tlp,
                releasableTo,
                sourceDescription: SOURCE_DESCRIPTION,
                entities: [],
              }),
            });
            if (res.status !== 201) throw new Error(`report ${label} → ${res.status} ${res.text}`);
            reports.push({ id: res.body.id, createdAt: res.body.createdAt, agencyId: originator.agency.id, classification, compartments, tlp, releasableTo });
            ourIds.add(res.body.id as string);
          }
        }
      }
    }
    // Decoys without the search word, one per way in (own agency, shared with CUSTOMS, community TLP):
    // a search must leave them out whichever way it runs.
    for (const [tlp, releasableTo] of [['RED', []], ['AMBER', [agencies.CUSTOMS.code]], ['CLEAR', []]] as const) {
      const res = await t.post('/api/v1/reports', {
        token: originator.token,
        body: reportBody({ title: 'Need-to-know decoy', narrative: `Decoy without the search word, TLP:${tlp}.`, classification: 'UNCLASSIFIED', compartments: [], tlp, releasableTo: [...releasableTo], entities: [] }),
      });
      if (res.status !== 201) throw new Error(`decoy → ${res.status} ${res.text}`);
    }
  });
  afterAll(() => t.close());

  it('submits every marking combination, and the oracle agrees with the counts worked out by hand', () => {
    expect(reports).toHaveLength(REPORT_COUNT);
    expect(new Set(reports.map((r) => `${r.classification}|${r.compartments.join()}|${r.tlp}|${r.releasableTo.length}`)).size).toBe(REPORT_COUNT);
    for (const spec of [...CONTENT_READERS, ...OVERSIGHT_READERS]) {
      expect({ reader: spec.label, readable: expectedIds(actor(spec)).size }).toEqual({ reader: spec.label, readable: spec.handCount });
    }
  });

  describe('GET /api/v1/reports/:id', () => {
    it.each(CONTENT_READERS)('$label: 200 exactly when need-to-know allows, otherwise a 404 indistinguishable from a missing id and audited DENIED', async (spec) => {
      const a = actor(spec);
      const expected = expectedIds(a);

      const missing = await t.get(`/api/v1/reports/${randomUUID()}`, { token: a.token });
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ statusCode: 404, error: 'Not Found', code: 'NOT_FOUND', message: expect.any(String), requestId: expect.any(String) });

      const results = await Promise.all(reports.map(async (r) => ({ r, res: await t.get(`/api/v1/reports/${r.id}`, { token: a.token }) })));
      for (const { r, res } of results) {
        const marking = `${r.classification} [${r.compartments.join()}] ${r.tlp} rel:[${r.releasableTo.join()}]`;
        if (expected.has(r.id)) {
          expect({ marking, status: res.status }).toEqual({ marking, status: 200 });
          expect(res.body).toMatchObject({ id: r.id, agencyId: r.agencyId, classification: r.classification, compartments: r.compartments, tlp: r.tlp, releasableTo: r.releasableTo });
          expectSourceHandling(a, res.body);
        } else {
          expect({ marking, status: res.status }).toEqual({ marking, status: 404 });
          // Existence is not disclosed: the same body (request id aside) and the same headers as a missing id.
          expect(withoutRequestId(res.body)).toEqual(withoutRequestId(missing.body));
          expect(Object.keys(res.headers).sort()).toEqual(Object.keys(missing.headers).sort());
          expect(res.text).not.toContain(token);
        }
      }

      // Every read is audited: ALLOWED for the readable, DENIED (with the report's id) for the rest.
      await t.audit.flush();
      const rows: { resource_id: string; outcome: string }[] = await t.ds.query(
        `SELECT resource_id, outcome FROM audit_event WHERE action = 'report.read' AND actor_id = $1 AND resource_id = ANY($2::text[])`,
        [a.id, reports.map((r) => r.id)],
      );
      const seen = rows.map((row) => `${row.resource_id} ${row.outcome}`).sort();
      const want = reports.map((r) => `${r.id} ${expected.has(r.id) ? 'ALLOWED' : 'DENIED'}`).sort();
      expect(seen).toEqual(want);
    });
  });

  describe('GET /api/v1/reports (list, every page)', () => {
    it.each(CONTENT_READERS)('$label: the list holds exactly the readable reports and nothing need-to-know forbids; the ids returned are audited', async (spec) => {
      const a = actor(spec);
      const { items, pages } = await pageThrough(a, { limit: '200' });

      // Nothing unreadable leaves the database — this run's reports or anyone else's.
      const leaked = items.filter((i) => !oracleMayRead(readerOf(a), i)).map((i) => `${i.id} ${i.classification} [${i.compartments.join()}] ${i.tlp}`);
      expect(leaked).toEqual([]);
      expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
      expect(sortIds(items.filter((i) => ourIds.has(i.id)).map((i) => i.id))).toEqual(sortIds(expectedIds(a)));
      for (const item of items) expectSourceHandling(a, item);

      const rows = await listAudit(pages.map(requestIdOf));
      expect(rows).toHaveLength(pages.length);
      for (const page of pages) {
        const row = rows.find((x) => x.request_id === requestIdOf(page));
        expect(row).toMatchObject({ actor_id: a.id, outcome: 'ALLOWED' });
        expect(sortIds(row!.resource_ids)).toEqual(sortIds(page.body.items.map((i) => i.id)));
      }
    });
  });

  // Both ways a search runs (see isBroadSearch): the access keys of a narrow search, the branch walks
  // of a broad one. The test's word is rare in the shared database, so the broad way is forced.
  describe.each([
    { way: 'narrow: access keys', broad: false },
    { way: 'broad: the branches walked newest first', broad: true },
  ])('GET /api/v1/reports?q= (search, $way)', ({ broad }) => {
    let breadth: jest.SpiedFunction<ReportsService['isBroadSearch']>;
    beforeEach(() => {
      breadth = jest.spyOn(t.app.get(ReportsService), 'isBroadSearch').mockResolvedValue(broad);
    });
    afterEach(() => breadth.mockRestore());

    it.each(CONTENT_READERS)('$label: the search holds exactly the readable reports, newest first, paginated without gaps; the ids returned are audited', async (spec) => {
      const a = actor(spec);
      const expected = expectedIds(a);

      const all = await t.get<PageBody>('/api/v1/reports', { token: a.token, query: { q: token, limit: '200' } });
      expect(all.status).toBe(200);
      expect(all.body.nextCursor).toBeNull();
      const ids = all.body.items.map((i) => i.id);
      expect(sortIds(ids)).toEqual(sortIds(expected));
      for (const item of all.body.items) expectSourceHandling(a, item);
      // Newest first, as submitted.
      const newestFirst = [...reports].filter((r) => expected.has(r.id)).sort((x, y) => y.createdAt.localeCompare(x.createdAt) || y.id.localeCompare(x.id));
      expect(ids).toEqual(newestFirst.map((r) => r.id));

      // The filter is applied before the limit: full pages of 7 until the last, no gaps, no repeats.
      const paged = await pageThrough(a, { q: token, limit: '7' });
      expect(paged.items.map((i) => i.id)).toEqual(ids);
      const sizes = paged.pages.map((p) => p.body.items.length);
      expect(sizes.slice(0, -1).every((n) => n === 7)).toBe(true);
      expect(paged.pages).toHaveLength(Math.max(1, Math.ceil(expected.size / 7)));

      const requests = [all, ...paged.pages];
      // Every request of a reader with several ways in took the forced way; a cell analyst's rule 2
      // (everything cleared) is one way, and its search never asks for the breadth.
      expect(breadth).toHaveBeenCalledTimes(spec.agency === 'CELL' && spec.roles.some((r) => r === 'ANALYST' || r === 'SUPERVISOR') ? 0 : requests.length);
      const rows = await listAudit(requests.map(requestIdOf));
      expect(rows).toHaveLength(requests.length);
      for (const res of requests) {
        const row = rows.find((x) => x.request_id === requestIdOf(res));
        expect(row).toMatchObject({ actor_id: a.id, outcome: 'ALLOWED' });
        expect(sortIds(row!.resource_ids)).toEqual(sortIds(res.body.items.map((i) => i.id)));
      }
    });
  });

  it.each(OVERSIGHT_READERS)('$label: an empty list and search, and 404 on the single read (even of a CLEAR, UNCLASSIFIED report), audited', async (spec) => {
    const a = actor(spec);
    const open = reports.find((r) => r.classification === 'UNCLASSIFIED' && r.compartments.length === 0 && r.tlp === 'CLEAR');
    expect(open).toBeDefined();
    const responses = [
      await t.get('/api/v1/reports', { token: a.token }),
      await t.get('/api/v1/reports', { token: a.token, query: { q: token, limit: '200' } }),
      await t.get(`/api/v1/reports/${open!.id}`, { token: a.token }),
    ];
    // Any user may ask; need-to-know gives AUDITOR and ADMIN nothing: no rule grants them content.
    const [list, search, single] = responses;
    expect([list.status, search.status, single.status]).toEqual([200, 200, 404]);
    expect(list.body).toEqual({ items: [], nextCursor: null });
    expect(search.body).toEqual({ items: [], nextCursor: null });
    expect(Object.keys(single.body).sort()).toEqual(['code', 'error', 'message', 'requestId', 'statusCode']);
    for (const res of responses) expect(res.text).not.toContain(token);
    await t.audit.flush();
    const rows: { request_id: string; action: string; outcome: string; resource_ids: string[] }[] = await t.ds.query(
      `SELECT request_id, action, outcome, resource_ids FROM audit_event WHERE actor_id = $1 AND request_id = ANY($2::text[])`,
      [a.id, responses.map(requestIdOf)],
    );
    expect(rows.map((r) => r.request_id).sort()).toEqual(responses.map(requestIdOf).sort());
    expect(rows.filter((r) => r.action === 'report.list').every((r) => r.outcome === 'ALLOWED' && r.resource_ids.length === 0)).toBe(true);
    expect(rows.find((r) => r.request_id === requestIdOf(single))).toMatchObject({ action: 'report.read', outcome: 'DENIED' });
  });
});
