/**
 * Bounded fan-out (issue 18 item 8): GET /reports/:id/correlations when 1,000 reports share 200 names.
 *
 * Seeds, through the API, one report naming 200 people and 999 more naming the same 200 (1,000 reports
 * hold each name: CORRELATION_LIMIT, the most that still correlates), 899 by the intake officer and 100
 * by another agency's officer (hidden from the intake officer: pointers). Then measures, as the other
 * cases do, ratios against a ceiling measured in the same run:
 *
 * - p95 of a correlations page (limit 50, the first page: pointers included) for the analyst, one
 *   connection, sequential; and of a later page (with a cursor);
 * - the ceiling: the same statements over raw pg without need-to-know (the report's values counted,
 *   the page statement with `TRUE` for need-to-know) — the product's own SQL text (correlationPageSql);
 * - the API's peak RSS under eight concurrent callers of the first page for at least 5 s (target < 300 MB), their p95,
 *   and the p95 of GET /auth/me asked meanwhile (are other requests stalled?);
 * - the size of a page; EXPLAIN ANALYZE of the page and of the pointer count on the seeded table: no
 *   full scan of report, no Seq Scan of report_entity.
 */
import { loadavg } from 'node:os';
import type { DataSource } from 'typeorm';
import type { Pool } from 'pg';
import { AbilityFactory } from '../../src/access/ability.factory';
import { accessibleSql, type SqlFragment } from '../../src/access/ability-sql';
import { toPrincipal } from '../../src/auth/principal.service';
import { CORRELATED_IDS_SQL, CORRELATION_KEYS_SQL, correlationPageSql, hiddenMatchesSql, KEYS_CTE } from '../../src/correlation/correlation.service';
import { Report } from '../../src/reports/report.entity';
import { User } from '../../src/users/user.entity';
import { reportBody } from '../../test/support/report-body';
import { FANOUT_NAMES, FANOUT_REPORTS, type FanoutResults } from './fanout-report';
import type { Api } from './http';
import { cannon, sequentialLatency } from './load';
import { fullScansOfReport, type PlanNode, planNodes, planSummary } from './ntk';
import { RssSampler, type Child } from './proc';
import { inBatches } from './stats';

const PAGE = 50;

interface Ctx {
  api: Api;
  apiPort: number;
  db: Pool;
  ds: DataSource;
  apiChild: Child | null;
  tokens: { analyst: string; intake: string; onePercent: string };
  userIds: { analyst: string; intake: string };
  readDuration: number;
  log: (s: string) => void;
}

const explainJson = async (db: Pool, sql: string, params: unknown[]): Promise<{ plan: PlanNode; ms: number | null }> => {
  const r = await db.query<{ 'QUERY PLAN': { Plan: PlanNode; 'Execution Time': number }[] }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params);
  return { plan: r.rows[0]['QUERY PLAN'][0].Plan, ms: r.rows[0]['QUERY PLAN'][0]['Execution Time'] ?? null };
};

async function ntkFor(ds: DataSource, userId: string): Promise<SqlFragment> {
  const user = await ds.getRepository(User).findOneOrFail({ where: { id: userId }, relations: { agency: true } });
  const ability = new AbilityFactory().createFor(toPrincipal(user));
  return accessibleSql(ability, 'read', 'Report', ds.getRepository(Report).createQueryBuilder('r'));
}

export async function fanoutPhase(c: Ctx): Promise<FanoutResults> {
  const tag = `fan${Date.now().toString(36)}`;
  const names = Array.from({ length: FANOUT_NAMES }, (_, i) => ({ type: 'PERSON', value: `${tag} person ${i}` }));
  c.log(`fan-out: seed ${FANOUT_REPORTS} reports sharing ${FANOUT_NAMES} names through POST /api/v1/reports (8 at a time)`);
  const t0 = performance.now();
  const origin = (await c.api.expect<{ id: string }>(201, 'POST', '/api/v1/reports', { token: c.tokens.intake, body: reportBody({ entities: names }) })).id;
  await inBatches(
    Array.from({ length: FANOUT_REPORTS - 1 }, (_, i) => i),
    8,
    (i) =>
      c.api.expect(201, 'POST', '/api/v1/reports', {
        // 1 in 10 by another agency's officer, RESTRICTED AMBER: the intake officer may not read those.
        token: i % 10 === 9 ? c.tokens.onePercent : c.tokens.intake,
        body: reportBody({ classification: 'RESTRICTED', entities: names }),
      }),
  );
  const seedSeconds = (performance.now() - t0) / 1000;
  // autovacuum is off on these machines (STACK-NOTES): give the planner the statistics and the
  // visibility map a running system would have.
  await c.db.query('VACUUM (ANALYZE) report_entity');
  await c.db.query('VACUUM (ANALYZE) report');
  const [{ reports, entities }] = (await c.db.query<{ reports: number; entities: number }>(`SELECT (SELECT count(*)::int FROM report) AS reports, (SELECT count(*)::int FROM report_entity) AS entities`)).rows;
  c.log(`  seeded in ${seedSeconds.toFixed(0)} s; report ${reports.toLocaleString('en')} rows, report_entity ${entities.toLocaleString('en')} rows`);

  const path = `/api/v1/reports/${origin}/correlations?limit=${PAGE}`;
  const walk = async (token: string) => {
    const ids: string[] = [];
    let pages = 0;
    let hidden = 0;
    let cursor: string | null = null;
    do {
      const page: { items: { reportId: string }[]; nextCursor: string | null; hiddenMatches: { count: number }[] } = await c.api.expect(200, 'GET', `${path}${cursor ? `&cursor=${cursor}` : ''}`, { token });
      pages += 1;
      ids.push(...page.items.map((i) => i.reportId));
      hidden += page.hiddenMatches.reduce((n, h) => n + h.count, 0);
      cursor = page.nextCursor;
    } while (cursor && pages < 1000);
    return { ids: ids.length, distinct: new Set(ids).size, pages, hidden };
  };
  const analystWalk = await walk(c.tokens.analyst);
  const intakeWalk = await walk(c.tokens.intake);
  c.log(`  paging at limit ${PAGE}: analyst ${analystWalk.distinct}/${analystWalk.ids} ids in ${analystWalk.pages} pages; intake ${intakeWalk.distinct} ids + ${intakeWalk.hidden} hidden`);
  const first = await c.api.call<{ nextCursor: string }>('GET', path, { token: c.tokens.analyst });
  const firstRaw = await fetch(`http://127.0.0.1:${c.apiPort}${path}`, { headers: { authorization: `Bearer ${c.tokens.analyst}` } });
  const pageBytes = (await firstRaw.arrayBuffer()).byteLength;
  const laterPath = `${path}&cursor=${first.body.nextCursor}`;

  // Latency: one connection, sequential (warm-up 1 s).
  const headers = { authorization: `Bearer ${c.tokens.analyst}` };
  const base = `http://127.0.0.1:${c.apiPort}`;
  await cannon({ url: `${base}${path}`, headers, connections: 1, duration: 1 });
  // At least 10 s each: a page takes tenths of a second, and a p95 wants more than a handful of answers.
  const seconds = Math.max(c.readDuration, 10);
  const loadAvg = loadavg()[0];
  const firstPage = await cannon({ url: `${base}${path}`, headers, connections: 1, duration: seconds });
  const laterPage = await cannon({ url: `${base}${laterPath}`, headers, connections: 1, duration: seconds });
  if (firstPage.non2xx || laterPage.non2xx) throw new Error(`correlations page: ${firstPage.non2xx + laterPage.non2xx} non-2xx`);

  // Ceiling: the product's statements without need-to-know, over raw pg.
  const keysRows = (await c.db.query<{ type: string; value: string; n: number }>(CORRELATION_KEYS_SQL, [origin, 1001])).rows;
  const keys = keysRows.filter((k) => k.n > 1 && k.n <= 1000) as { type: 'PERSON'; value: string }[];
  const open = correlationPageSql({ sql: 'TRUE', params: {} }, keys, origin, null, PAGE);
  const [openSql, openParams] = c.ds.driver.escapeQueryWithParameters(open.sql, open.params);
  const once = async () => {
    await c.db.query(CORRELATION_KEYS_SQL, [origin, 1001]);
    await c.db.query(openSql, openParams);
  };
  await sequentialLatency(1, once);
  const unfiltered = await sequentialLatency(seconds, once);
  c.log(`  first page p95 ${firstPage.p95.toFixed(1)} ms, later page p95 ${laterPage.p95.toFixed(1)} ms, unfiltered SQL p95 ${unfiltered.p95.toFixed(2)} ms; ${pageBytes} bytes a page`);

  // Eight concurrent callers of the first page; meanwhile, one caller of GET /auth/me.
  const baselineRssMb = c.apiChild?.rssMb() ?? null;
  const rss = c.apiChild ? new RssSampler(c.apiChild).start(100) : null;
  const concurrentSeconds = Math.max(c.readDuration, 5);
  const [eight, probe] = await Promise.all([
    cannon({ url: `${base}${path}`, headers, connections: 8, duration: concurrentSeconds }),
    sequentialLatency(concurrentSeconds, async () => {
      const r = await fetch(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${c.tokens.intake}` } });
      await r.arrayBuffer();
    }),
  ]);
  const peakRssMb = rss?.stop() ?? 0;
  if (eight.errors || eight.non2xx || eight.count === 0) throw new Error(`8 concurrent callers: ${eight.count} answers, ${eight.non2xx} non-2xx ${JSON.stringify(eight.statusCodes)}, ${eight.errors} errors`);
  c.log(`  8 concurrent callers: p95 ${eight.p95.toFixed(1)} ms, API peak RSS ${peakRssMb.toFixed(0)} MB (from ${baselineRssMb?.toFixed(0)}); GET /auth/me meanwhile p95 ${probe.p95.toFixed(1)} ms`);

  // Plans on the seeded table: the analyst's page, the intake officer's pointer count.
  const page = correlationPageSql(await ntkFor(c.ds, c.userIds.analyst), keys, origin, null, PAGE);
  const [pageSql, pageParams] = c.ds.driver.escapeQueryWithParameters(page.sql, page.params);
  const intakeNtk = await ntkFor(c.ds, c.userIds.intake);
  const hidden = correlationPageSql(intakeNtk, keys, origin, null, PAGE); // its parameters (types, values, self)
  const [hiddenSql, hiddenParams] = c.ds.driver.escapeQueryWithParameters(hiddenMatchesSql(intakeNtk, CORRELATED_IDS_SQL, KEYS_CTE), hidden.params);
  const pagePlan = await explainJson(c.db, pageSql, pageParams);
  const hiddenPlan = await explainJson(c.db, hiddenSql, hiddenParams);
  const both = [pagePlan.plan, hiddenPlan.plan];
  const fullScans = both.reduce((n, p) => n + fullScansOfReport(p, reports), 0);
  const seqEntity = both.flatMap(planNodes).filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'report_entity').length;
  c.log(`  plans: page ${pagePlan.ms?.toFixed(1)} ms, pointers ${hiddenPlan.ms?.toFixed(1)} ms; full scans of report ${fullScans}, Seq Scans of report_entity ${seqEntity}`);

  return {
    reports: FANOUT_REPORTS,
    sharedNames: FANOUT_NAMES,
    seedSeconds,
    loadAvg,
    tableRows: { report: reports, reportEntity: entities },
    walk: { analyst: { ids: analystWalk.ids, distinct: analystWalk.distinct, pages: analystWalk.pages }, intake: intakeWalk },
    pageBytes,
    firstPage: { p50: firstPage.p50, p95: firstPage.p95, count: firstPage.count },
    laterPage: { p50: laterPage.p50, p95: laterPage.p95, count: laterPage.count },
    unfiltered: { p50: unfiltered.p50, p95: unfiltered.p95, count: unfiltered.count },
    concurrent8: { peakRssMb, baselineRssMb, p95: eight.p95, count: eight.count, non2xx: eight.non2xx, probeP95: probe.p95, probeP50: probe.p50, probeCount: probe.count },
    plans: { page: planSummary(pagePlan.plan), hidden: planSummary(hiddenPlan.plan), fullScansOfReport: fullScans, seqScansOfReportEntity: seqEntity, pageMs: pagePlan.ms, hiddenMs: hiddenPlan.ms },
  };
}

