/** The fan-out case's figures, RESULTS.md block and results.json key (bench/lib/fanout.ts measures them). */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR } from './config';
import { ratio, round } from './stats';

export const FANOUT_REPORTS = 1000;
export const FANOUT_NAMES = 200;
export const RSS_TARGET_MB = 300;

export interface FanoutResults {
  reports: number;
  sharedNames: number;
  seedSeconds: number;
  /** The machine's 1-minute load average when the latencies were measured (2 cores). */
  loadAvg?: number;
  tableRows: { report: number; reportEntity: number };
  /** Paging every page as the analyst and as the intake officer: ids seen, distinct, pages, pointers. */
  walk: { analyst: { ids: number; distinct: number; pages: number }; intake: { ids: number; distinct: number; pages: number; hidden: number } };
  pageBytes: number;
  firstPage: { p50: number; p95: number; count: number };
  laterPage: { p50: number; p95: number; count: number };
  unfiltered: { p50: number; p95: number; count: number };
  concurrent8: { peakRssMb: number; baselineRssMb: number | null; p95: number; count: number; non2xx: number; probeP95: number; probeP50: number; probeCount: number };
  plans: { page: string; hidden: string; fullScansOfReport: number; seqScansOfReportEntity: number; pageMs: number | null; hiddenMs: number | null };
}

export interface FanoutSummary {
  pageP95Ms: number | null;
  pageVsUnfiltered: number | null;
  laterPageP95Ms: number | null;
  pageBytes: number;
  concurrent8PeakRssMb: number | null;
  rssUnder300Mb: boolean;
  fullScans: number;
  everyReportOnce: boolean;
}

export function fanoutSummary(f: FanoutResults): FanoutSummary {
  return {
    pageP95Ms: round(f.firstPage.p95, 1),
    pageVsUnfiltered: ratio(f.firstPage.p95, f.unfiltered.p95),
    laterPageP95Ms: round(f.laterPage.p95, 1),
    pageBytes: f.pageBytes,
    concurrent8PeakRssMb: round(f.concurrent8.peakRssMb, 1),
    rssUnder300Mb: f.concurrent8.peakRssMb > 0 && f.concurrent8.peakRssMb < RSS_TARGET_MB,
    fullScans: f.plans.fullScansOfReport + f.plans.seqScansOfReportEntity,
    everyReportOnce: f.walk.analyst.distinct === FANOUT_REPORTS - 1 && f.walk.analyst.ids === f.walk.analyst.distinct && f.walk.intake.distinct + f.walk.intake.hidden === FANOUT_REPORTS - 1,
  };
}

const SECTION = '## 7. Bounded fan-out (correlations, issue 18)\n';

/** The last recorded fan-out figures (results.json `fanout`), kept by a run that does not measure them. */
export function previousFanout(): FanoutSummary | null {
  const file = join(BENCH_DIR, 'results.json');
  if (!existsSync(file)) return null;
  return ((JSON.parse(readFileSync(file, 'utf8')) as { fanout?: FanoutSummary }).fanout ?? null);
}

/** The last recorded RESULTS.md section of the fan-out case (heading and block), or null. */
export function previousFanoutSection(): string | null {
  const file = join(BENCH_DIR, 'RESULTS.md');
  if (!existsSync(file)) return null;
  const md = readFileSync(file, 'utf8');
  const a = md.indexOf(FANOUT_START);
  const b = md.indexOf(FANOUT_END);
  return a >= 0 && b > a ? `${SECTION}\n${md.slice(a, b + FANOUT_END.length)}\n` : null;
}

export const FANOUT_START = '<!-- fanout:start -->';
export const FANOUT_END = '<!-- fanout:end -->';

/** The RESULTS.md section of the fan-out case, between its markers. */
export function fanoutBlock(f: FanoutResults, date: string): string {
  const s = fanoutSummary(f);
  const ms = (x: number) => x.toFixed(1);
  return [
    FANOUT_START,
    `Measured ${date}. ${f.reports.toLocaleString('en')} reports share ${f.sharedNames} names (one report names them; ${f.reports - 1} others name the same 200), seeded through the API in ${f.seedSeconds.toFixed(0)} s on a table of ${f.tableRows.report.toLocaleString('en')} reports / ${f.tableRows.reportEntity.toLocaleString('en')} entity rows; 1-minute load average ${f.loadAvg?.toFixed(1) ?? '?'} when the latencies were measured (2 cores). Before issue 18 one call returned every correlation (8.9 MB, ~2 s) and eight concurrent calls took the API to 950 MB RSS.`,
    '',
    '| measure | value | target |',
    '|---|---|---|',
    `| GET /reports/:id/correlations?limit=50, first page (pointers counted), p95 (p50), 1 connection | ${ms(f.firstPage.p95)} ms (${ms(f.firstPage.p50)}), ${f.firstPage.count} answers | ratio below |`,
    `| the same, a later page (cursor), p95 (p50) | ${ms(f.laterPage.p95)} ms (${ms(f.laterPage.p50)}) | |`,
    `| ceiling: the product's statements without need-to-know over raw pg (values counted + page), p95 | ${f.unfiltered.p95.toFixed(2)} ms | |`,
    `| first page vs ceiling (API p95 ÷ ceiling p95, as the list's ratio) | ${s.pageVsUnfiltered ?? 'null'} | reported |`,
    `| size of a page (50 items, 20 of 200 shared names listed each) | ${f.pageBytes.toLocaleString('en')} bytes | bounded |`,
    `| API peak RSS, 8 concurrent callers of the first page for the read duration (before: ${f.concurrent8.baselineRssMb?.toFixed(0) ?? '?'} MB) | ${f.concurrent8.peakRssMb.toFixed(0)} MB | < 300 MB: ${s.rssUnder300Mb ? '**pass**' : '**FAIL**'} |`,
    `| p95 of those 8 callers; GET /auth/me asked meanwhile, p95 (p50) | ${ms(f.concurrent8.p95)} ms; ${ms(f.concurrent8.probeP95)} ms (${ms(f.concurrent8.probeP50)}) | not stalled |`,
    `| paging every page at limit 50: analyst; intake officer (readable + hidden) | ${f.walk.analyst.distinct} distinct of ${f.walk.analyst.ids} in ${f.walk.analyst.pages} pages; ${f.walk.intake.distinct} + ${f.walk.intake.hidden} | each of ${f.reports - 1} once: ${s.everyReportOnce ? '**pass**' : '**FAIL**'} |`,
    `| full scans of report / Seq Scans of report_entity (EXPLAIN ANALYZE of the page and of the pointer count) | ${f.plans.fullScansOfReport} / ${f.plans.seqScansOfReportEntity} | 0 / 0 |`,
    '',
    `Page plan (${f.plans.pageMs?.toFixed(1) ?? '?'} ms): ${f.plans.page}`,
    '',
    `Pointer count plan (${f.plans.hiddenMs?.toFixed(1) ?? '?'} ms, first page only): ${f.plans.hidden}`,
    FANOUT_END,
  ].join('\n');
}

/**
 * Records a fan-out run in bench/RESULTS.md (its block, replaced or appended as section "7. Bounded
 * fan-out") and results.json (`fanout`), keeping everything else as it is — as `bench:faults` does.
 */
export function writeFanoutResults(f: FanoutResults, date: string, benchDir = BENCH_DIR): void {
  const jsonFile = join(benchDir, 'results.json');
  const current = existsSync(jsonFile) ? (JSON.parse(readFileSync(jsonFile, 'utf8')) as Record<string, unknown>) : {};
  const json = { ...current, fanout: fanoutSummary(f) };
  const jsonText = JSON.stringify(json, null, 2);
  writeFileSync(jsonFile, `${jsonText}\n`);
  const mdFile = join(benchDir, 'RESULTS.md');
  let md = existsSync(mdFile) ? readFileSync(mdFile, 'utf8') : '# Benchmark results\n';
  const block = fanoutBlock(f, date);
  const a = md.indexOf(FANOUT_START);
  const b = md.indexOf(FANOUT_END);
  if (a >= 0 && b > a) md = md.slice(0, a) + block + md.slice(b + FANOUT_END.length);
  else {
    const at = md.indexOf('\n## results.json');
    const section = `\n${SECTION}\n${block}\n`;
    md = at >= 0 ? `${md.slice(0, at)}\n${section}${md.slice(at)}` : `${md.trimEnd()}\n${section}`;
  }
  md = md.replace(/(## results\.json\n\n```json\n)[\s\S]*?(\n```)/, (_m, o: string, cl: string) => `${o}${jsonText}${cl}`);
  writeFileSync(mdFile, md);
}
