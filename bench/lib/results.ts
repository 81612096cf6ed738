import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { BENCH_DIR, settings } from './config';
import { type FanoutSummary, previousFanout, previousFanoutSection } from './fanout-report';
import { faultsSummaryRow, placeholderFaultsBlock, previousFaults, previousFaultsBlock } from './faults-report';
import type { LoadResult, SeriesResult } from './load';
import { median, ratio, round, type Series, series } from './stats';
import type { BenchResults, Caller, CallerRead, ScaleReads } from './types';

export async function machineFacts(): Promise<Record<string, unknown>> {
  const cpuModel = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown';
  let redisVersion = 'unknown';
  const redis = new Redis(settings.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
  } catch {
    /* reported as unknown */
  } finally {
    redis.disconnect();
  }
  return {
    uname: execFileSync('uname', ['-a'], { encoding: 'utf8' }).trim(),
    cpu: cpuModel.trim(),
    cores: cpus().length,
    memoryGb: round(totalmem() / 1024 ** 3, 1),
    node: process.version,
    redis: redisVersion,
  };
}

export interface Summary {
  date: string;
  machine: Record<string, unknown>;
  intakeVsRawPg: number | null;
  intakeVsBareNest: number | null;
  listP95VsUnfiltered: { analyst: number | null; onePercent: number | null; none: number | null };
  listGrowth100kTo1m: number | null;
  seqScans: number | null;
  disseminationVsRawBullmq: number | null;
  auditVsNoAudit: number | null;
  verifyVsRawSha256: number | null;
  apiPeakRssMb: number | null;
  faults: Record<string, { lost: number; duplicated: number; passed: boolean }>;
  /** The bounded fan-out case (bench/lib/fanout.ts); absent until it has run once. */
  fanout?: FanoutSummary | null;
}

const rpsOf = (xs: LoadResult[]): Series => series(xs.map((r) => r.rps));

/** The machine-readable summary, exactly in the issue's shape: measured figures only, else null. */
export function summarise(r: BenchResults, date: string): Summary {
  const i = r.intake;
  const reads = r.reads ?? [];
  const last = reads[reads.length - 1];
  const at100k = reads.find((x) => x.rows === 100_000);
  const at1m = reads.find((x) => x.rows === 1_000_000);
  const growth =
    at100k && at1m ? Math.max(...(['analyst', 'onePercent', 'none'] as Caller[]).map((c) => at1m.callers[c].api.p95 / at100k.callers[c].api.p95)) : null;
  const seqScans = reads.length
    ? reads.reduce((s, x) => s + [x.callers, x.q?.callers, x.qBroad?.callers].reduce((a, cs) => a + (cs ? Object.values(cs).reduce((b, c) => b + c.seqScans, 0) : 0), 0), 0)
    : null;
  const d = r.dissemination;
  const a = r.audit;
  return {
    date,
    machine: r.machine,
    intakeVsRawPg: i ? ratio(i.post.rps.median, rpsOf(i.rawWithPending).median) : null,
    intakeVsBareNest: i ? ratio(i.post.rps.median, i.me.rps.median) : null,
    listP95VsUnfiltered: {
      analyst: last ? ratio(last.callers.analyst.api.p95, last.unfiltered.p95) : null,
      onePercent: last ? ratio(last.callers.onePercent.api.p95, last.unfiltered.p95) : null,
      none: last ? ratio(last.callers.none.api.p95, last.unfiltered.p95) : null,
    },
    listGrowth100kTo1m: round(growth, 3),
    seqScans,
    disseminationVsRawBullmq: d && d.webhookPerSec !== null ? ratio(d.webhookPerSec, median(d.raw.jobsPerSec)) : null,
    auditVsNoAudit: i ? ratio(rpsOf(i.rawWithChain).median, rpsOf(i.rawNoAudit).median) : null,
    verifyVsRawSha256: a && a.verify.valid ? ratio(a.verifyEventsPerSec, a.rawEventsPerSec, 4) : null,
    apiPeakRssMb: i ? round(i.peakRssMb, 1) : null,
    // Measured by `npm run bench:faults`, not here: the last faults run's figures are kept.
    faults: previousFaults(),
    // Written by the fan-out phase (writeFanoutResults) after this; the last figures are kept otherwise.
    fanout: previousFanout(),
  };
}

// ------------------------------------------------------------------------------------------ markdown

/** The broad search's row label (bench/lib/seed.ts BROAD_SEARCH). */
const BROAD_LABEL = 'broad q (lex0q or … or lex19q: ≈ 40 % of rows; reported)';
const f0 = (x: number) => x.toFixed(0);
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
const ser = (s: Series, fmt: (x: number) => string = f0) => `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)}, spread ${pct(s.spread)})`;
const verdict = (ok: boolean | null) => (ok === null ? 'not measured' : ok ? '**pass**' : '**FAIL**');
const num = (x: number | null, fmt: (x: number) => string = f2) => (x === null ? 'null' : fmt(x));

function seriesRow(name: string, s: SeriesResult, note = ''): string {
  return `| ${name} | ${ser(s.rps)} | ${ser(s.p50, f1)} | ${ser(s.p99, f1)} | ${s.non2xx} / ${s.errors} | ${note} |`;
}

function rawRow(name: string, xs: LoadResult[], note = ''): string {
  const s = rpsOf(xs);
  return `| ${name} | ${ser(s)} | ${f1(median(xs.map((x) => x.p50)))} | ${f1(median(xs.map((x) => x.p99)))} | 0 / ${xs.reduce((t, x) => t + x.errors, 0)} | ${note} |`;
}

function callerRows(x: ScaleReads, set: Record<Caller, CallerRead>, unfilteredP95: number, label: string): string[] {
  return (['analyst', 'onePercent', 'none'] as Caller[]).map((c) => {
    const v = set[c];
    return `| ${label} | ${c} | ${v.visible.toLocaleString('en')} (${v.visiblePct.toFixed(2)} %) | ${f1(v.api.p50)} | ${f1(v.api.p95)} (runs ${v.api.p95Runs.map(f1).join(', ')}) | ${f2(v.api.p95 / unfilteredP95)}× | ${f2(v.sql.p95)} | ${f2(v.sql.p95 / unfilteredP95)}× | ${v.seqScans ? `**${v.seqScans}**` : 0} (${v.seqScanNodes}) | ${v.sameIdsAsApi ? 'yes' : '**no**'} |`;
  });
}

/** RSS floor (lowest 10-s sample) of the last minute minus that of the second minute. */
function floorGrowth(samples: number[]): number | null {
  if (samples.length < 18) return null;
  const second = samples.slice(6, 12);
  const last = samples.slice(-6);
  return Math.min(...last) - Math.min(...second);
}

export function markdown(r: BenchResults, s: Summary): string {
  const st = r.settings as typeof settings;
  const soakGrowth = r.intake?.soak ? floorGrowth(r.intake.soak.samples) : null;
  const m = r.machine;
  const out: string[] = [];
  const push = (...lines: string[]) => out.push(...lines);
  push(
    '# Benchmark results',
    '',
    `Generated by \`npm run bench\` (bench/run.ts) on ${s.date} — **${st.quick ? 'quick mode (BENCH_QUICK=1: 100k reports, short runs)' : 'full mode'}**,` +
      ` ${r.elapsedSeconds ? `${f0(r.elapsedSeconds)} s in all` : ''}. Regenerated by every run: edit \`bench/findings.md\` (included below), not this file.`,
    '',
    'Every figure is a ratio against a ceiling measured in the same run on the same machine. Medians over runs, with (min–max, spread = (max−min)/median).',
    '',
    '## Machine',
    '',
    `- \`${String(m.uname)}\``,
    `- CPU: ${String(m.cpu)}, ${String(m.cores)} cores; memory ${String(m.memoryGb)} GiB`,
    `- Node ${String(m.node)}; ${String(m.postgres)}; Redis ${String(m.redis)}`,
    `- PostgreSQL settings: ${Object.entries((m.pgSettings as Record<string, string>) ?? {})
      .filter(([k]) => k !== 'version')
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
    `- Load average at start ${r.startedLoad.map(f2).join(' / ')}, at end ${(r.finishedLoad ?? []).map(f2).join(' / ')} (the machine is shared: other processes' load is part of the noise)`,
    `- Settings: ${st.runs} runs × ${st.duration} s after ${st.warmup} s warm-up; ${st.connections} connections (autocannon, no pipelining; raw pg clients); reads ${st.runs} runs × ${st.readDuration} s, 1 connection`,
    '',
    '## Summary against the targets',
    '',
    '| benchmark | measured | target | result |',
    '|---|---|---|---|',
    `| Intake: POST /reports ÷ raw pg transactions (c) | ${num(s.intakeVsRawPg)} | ≥ 0.5 | ${verdict(s.intakeVsRawPg === null ? null : s.intakeVsRawPg >= 0.5)} |`,
    `| Intake: POST /reports ÷ do-nothing Nest route behind the same guards (b) | ${num(s.intakeVsBareNest)} | — (reported) | — |`,
    ...(['analyst', 'onePercent', 'none'] as Caller[]).map((c) => {
      const v = s.listP95VsUnfiltered[c];
      return `| List p95 ÷ unfiltered indexed query, ${c} (${r.reads?.length ? r.reads[r.reads.length - 1].rows.toLocaleString('en') : '–'} rows) | ${num(v)} | ≤ 3 | ${verdict(v === null ? null : v <= 3)} |`;
    }),
    ...(['analyst', 'onePercent', 'none'] as Caller[]).map((c) => {
      const last = r.reads?.length ? r.reads[r.reads.length - 1] : null;
      const v = last ? ratio(last.callers[c].sql.p95, last.unfiltered.p95) : null;
      return `| The same, the need-to-know page query alone (SQL over raw pg, what the filter costs), ${c} | ${num(v)} | — (reported; the target above is the whole request's) | — |`;
    }),
    `| List p95 growth 100k → 1M (worst caller) | ${num(s.listGrowth100kTo1m)} | ≤ 2 | ${verdict(s.listGrowth100kTo1m === null ? null : s.listGrowth100kTo1m <= 2)} |`,
    `| Sequential scans of report in the plans (all callers, list and q, all scales) | ${s.seqScans ?? 'null'} | 0 | ${verdict(s.seqScans === null ? null : s.seqScans === 0)} |`,
    `| Dissemination deliveries/s ÷ raw BullMQ jobs/s | ${num(s.disseminationVsRawBullmq, (x) => x.toFixed(3))} | ≥ 0.3 | ${verdict(s.disseminationVsRawBullmq === null ? null : s.disseminationVsRawBullmq >= 0.3)} |`,
    `| Audit: intake transaction with the hash-chained log ÷ without (raw pg) | ${num(s.auditVsNoAudit)} | ≥ 0.7 | ${verdict(s.auditVsNoAudit === null ? null : s.auditVsNoAudit >= 0.7)} |`,
    `| Audit verify events/s ÷ raw SHA-256 events/s over the same bytes | ${num(s.verifyVsRawSha256, (x) => x.toFixed(4))} | — (reported) | — |`,
    `| API peak RSS during intake | ${s.apiPeakRssMb === null ? 'null' : `${f1(s.apiPeakRssMb)} MB`} | < 300 MB | ${verdict(s.apiPeakRssMb === null ? null : s.apiPeakRssMb < 300)} |`,
    `| RSS growth over a ${r.intake?.soak ? `${r.intake.soak.seconds}-s` : '5-minute'} soak at 50 % load: floor of the last minute − floor of the second minute | ${soakGrowth === null ? 'null' : `${f1(soakGrowth)} MB`} | no growth (< 5 MB) | ${soakGrowth === null ? 'not measured (quick mode)' : verdict(soakGrowth < 5)} |`,
    faultsSummaryRow(s.faults),
    '',
  );

  const i = r.intake;
  if (i) {
    push(
      '## 1. Intake',
      '',
      `POST /api/v1/reports with a CONFIDENTIAL/AMBER report, 2 entities, no releasableTo, no Idempotency-Key, as an OFFICER; ${st.connections} connections. ` +
        'The API is the compiled build (`tsc -p tsconfig.build.json`, what `nest build` does) run with NODE_ENV=production, LOG_LEVEL=warn. ' +
        'The API is stopped while (a) and (c) run, so each ceiling has the machine to itself.',
      '',
      '| what | req/s (or tx/s) | p50 ms | p99 ms | non-2xx / errors | note |',
      '|---|---|---|---|---|---|',
      seriesRow('(a) bare Fastify route, separate process', i.bare, 'same Fastify, same JSON body parsed, 201 + small JSON'),
      seriesRow('(b) GET /api/v1/auth/me', i.me, 'the do-nothing route behind the same guards: JWT check + principal load (one query) + CASL'),
      seriesRow('**POST /api/v1/reports**', i.post, 'validation, CASL, entities, audit_pending: one SQL statement'),
      `| POST /api/v1/reports with a unique Idempotency-Key (1 run) | ${f0(i.postIdempotent.rps)} | ${f1(i.postIdempotent.p50)} | ${f1(i.postIdempotent.p99)} | ${i.postIdempotent.non2xx} / ${i.postIdempotent.errors} | + the idempotency_key row, with its response, in the same statement |`,
      rawRow('(c) raw pg: report + 2 entities + audit_pending, one transaction', i.rawWithPending, 'the ceiling for intakeVsRawPg'),
      rawRow('raw pg: report + 2 entities, no audit', i.rawNoAudit, 'denominator of auditVsNoAudit'),
      rawRow('raw pg: + audit_pending + the real chainer (AuditChainer, scheduled by soon() after each transaction as the API does)', i.rawWithChain, 'numerator of auditVsNoAudit: the hash-chained log'),
      '',
      `- POST ÷ (c) = **${num(s.intakeVsRawPg)}**; POST ÷ raw pg with the real chainer running (the same rows, the audit event chained) = ${num(ratio(i.post.rps.median, rpsOf(i.rawWithChain).median))}; POST ÷ (b) = ${num(s.intakeVsBareNest)}; POST ÷ (a) = ${num(ratio(i.post.rps.median, i.bare.rps.median))}; (b) ÷ (a) = ${num(ratio(i.me.rps.median, i.bare.rps.median))}.`,
      `- Audit: with the pending insert only ÷ without = ${num(ratio(rpsOf(i.rawWithPending).median, rpsOf(i.rawNoAudit).median))}; with the pending insert and the chainer ÷ without = **${num(s.auditVsNoAudit)}** (reported as auditVsNoAudit). The chainer moved ${i.chainer.events.toLocaleString('en')} events in ${i.chainer.batches.toLocaleString('en')} batches (${f1(i.chainer.events / Math.max(1, i.chainer.batches))} events per batch, ${f1(i.chainer.ms / Math.max(1, i.chainer.batches))} ms per batch).`,
      `- Latency at 50 % of peak (${i.halfPeak.rate} req/s, ${st.duration * 2} s each): autocannon overallRate: achieved ${f0(i.halfPeak.rps)} req/s, **p50 ${f1(i.halfPeak.p50)} ms, p99 ${f1(i.halfPeak.p99)} ms**; ` +
        `evenly paced open loop (bench/lib/load.ts pacedLoad): achieved ${f0(i.halfPeakPaced.rps)} req/s, **p50 ${f1(i.halfPeakPaced.p50)} ms, p99 ${f1(i.halfPeakPaced.p99)} ms** (dropped ${i.halfPeakPaced.dropped}, non-2xx ${i.halfPeakPaced.non2xx}). ` +
        'autocannon gives each connection a per-second quota that it sends back to back at the start of every second, so its figure is the latency of a burst at full speed; the paced one is a steady 50 % load.',
      `- Database work per POST during that run (pg_stat_database deltas ÷ requests, the chainer included): ${f2(i.perRequest.commits)} commits, ${f2(i.perRequest.rowsInserted)} rows inserted, ${f2(i.perRequest.rowsDeleted)} rows deleted, ${f1(i.perRequest.rowsFetched)} rows fetched. The raw transaction (c) is 1 commit and 4 rows inserted.`,
      `- API RSS during the POST series: peak **${f1(i.peakRssMb)} MB** (VmRSS from /proc/<pid>/status every 200 ms, ${i.rssSamples} samples).`,
      '',
    );
  }

  const d = r.dissemination;
  /** Median µs per delivery for each process group, over the runs that recorded CPU. */
  const cpuLine = (xs: (Record<string, number> | undefined)[], n: number): string => {
    const got = xs.filter((x): x is Record<string, number> => x !== undefined);
    if (!got.length) return 'n/a';
    const groups = Object.keys(got[0]);
    const per = groups.map((g) => [g, median(got.map((x) => x[g] ?? 0)) * 1000 / n] as const);
    const total = median(got.map((x) => Object.values(x).reduce((a, b) => a + b, 0))) * 1000 / n;
    return `${per.map(([g, us]) => `${g} ${us.toFixed(0)}`).join(', ')} (total ${total.toFixed(0)})`;
  };
  if (d) {
    const endToEnd = (v: 'webhook' | 'inbox'): number | null => {
      const xs = d.runs.filter((x) => x.variant === v && x.endToEndPerSec !== undefined).map((x) => x.endToEndPerSec);
      return xs.length ? median(xs) : null;
    };
    const e2e = (v: 'webhook' | 'inbox') => `${num(endToEnd(v), f1)} deliveries/s (÷ raw = ${num(ratio(endToEnd(v), median(d.raw.jobsPerSec), 3), (x) => x.toFixed(3))})`;
    push(
      '## 2. Dissemination',
      '',
      `A RESTRICTED assessment published (POST /assessments/:id/publish by a SUPERVISOR) to ${st.disseminationAgencies} agencies, the worker (compiled, DELIVERY_CONCURRENCY ${st.workerConcurrency}) running, after one warm-up publication of each kind. ` +
        '"webhook": every agency has a webhook to a local receiver that answers 204 (signed POST per delivery); "inbox": no webhook, the inbox row only. ' +
        "A delivery is done when its job finishes: the processor returns after the dissemination is DELIVERED and committed (for a webhook: after its POST was answered 2xx and that was recorded). A poll every 25 ms checks that all are DELIVERED before the times are read. " +
        "**deliveries/s** is the queue's throughput, the figure compared with the ceiling: the agencies ÷ the time from when the relay created the first BullMQ job to when the last job finished, both BullMQ's own timestamps (`timestamp`, `finishedOn`), read back from Redis. " +
        '**end-to-end/s** divides by the time from sending the publish request to the last finish instead (the publication transaction, the outbox and the relay included). ' +
        `The ceiling is BullMQ alone on the same Redis: a Worker with the same concurrency and a no-op processor, ${st.disseminationAgencies} jobs added with addBulk (the product's job options), timed the same way (first job created to last job finished); its bursts are interleaved with the runs (two after each pair of publications, the product's worker idle), so both see the same state of the machine. ` +
        'CPU by process is read from /proc (the sum over each process\'s threads of /proc/<pid>/task/<tid>/schedstat; "postgres" is every PostgreSQL process).',
      '',
      '| run | variant | publish request ms | jobs added ms | first delivery ms | last queued by the relay ms | last delivery ms (seen by the poll) | deliveries/s | end-to-end/s | commits / rows inserted / rows updated per delivery |',
      '|---|---|---|---|---|---|---|---|---|---|',
      ...d.runs.map(
        (x, k) =>
          `| ${Math.floor(k / 2) + 1} | ${x.variant} | ${f0(x.publishMs)} | ${x.jobsAddedMs === undefined ? 'n/a' : f0(x.jobsAddedMs)} | ${f0(x.firstDeliveryMs)} | ${f0(x.lastQueuedMs)} | ${f0(x.lastDeliveryMs)}${x.lastSeenMs === undefined ? '' : ` (${f0(x.lastSeenMs)})`} | ${f1(x.deliveriesPerSec)} | ${x.endToEndPerSec === undefined ? 'n/a' : f1(x.endToEndPerSec)} | ${f1(x.perDelivery.commits)} / ${f1(x.perDelivery.rowsInserted)} / ${f1(x.perDelivery.rowsUpdated)} |`,
      ),
      '',
      `- Raw BullMQ, ${st.disseminationAgencies} jobs: ${ser(series(d.raw.jobsPerSec))} jobs/s (last job finished after ${d.raw.lastMs.map(f0).join(', ')} ms${d.raw.seenMs?.length ? `; seen by its listener after ${d.raw.seenMs.map(f0).join(', ')} ms from the addBulk call` : ''}); 5000 jobs: ${d.rawSteady ? f0(d.rawSteady.perSec) : 'n/a'} jobs/s.`,
      `- Webhook deliveries/s (median) ${d.webhookPerSec === null ? 'n/a' : f1(d.webhookPerSec)} ÷ raw = **${num(s.disseminationVsRawBullmq, (x) => x.toFixed(3))}**; inbox-only ${d.inboxPerSec === null ? 'n/a' : f1(d.inboxPerSec)} ÷ raw = ${num(d.inboxPerSec === null ? null : ratio(d.inboxPerSec, median(d.raw.jobsPerSec), 3), (x) => x.toFixed(3))}.`,
      `- End to end (from the publish request), median: webhook ${e2e('webhook')}; inbox-only ${e2e('inbox')}.`,
      `- CPU per delivery by process (µs, median of the runs; from the publish request until the poll saw the last delivery; "bench" is the benchmark process: the webhook receiver, the 25-ms poll and the idle ceiling worker): webhook ${cpuLine(d.runs.filter((x) => x.variant === 'webhook').map((x) => x.cpuMs), st.disseminationAgencies)}; inbox-only ${cpuLine(d.runs.filter((x) => x.variant === 'inbox').map((x) => x.cpuMs), st.disseminationAgencies)}; raw BullMQ per job ("bench" runs its worker) ${cpuLine(d.raw.cpuMs ?? [], st.disseminationAgencies)}.`,
      `- Webhooks received by the local receiver: ${d.webhooksReceived} (expected ${(d.runs.filter((x) => x.variant === 'webhook').length + 1) * st.disseminationAgencies}, the warm-up's included).`,
      '',
    );
  }

  if (r.reads?.length) {
    push(
      '## 3. Need-to-know reads at scale',
      '',
      'Reports seeded with generate_series in SQL (bench/lib/seed.ts: 20 agencies, all classifications, compartments, TLPs, releasableTo; 1–2 entities each). ' +
        'Callers: **analyst** = fusion-cell ANALYST, TOP_SECRET, HUMINT+SIGINT (sees all but FININT rows); **onePercent** = OFFICER of agency A01 at RESTRICTED, no compartments; ' +
        '**none** = OFFICER of an agency with no reports, not in any releasableTo, UNCLASSIFIED (no UNCLASSIFIED row is CLEAR/GREEN), so sees exactly 0. ' +
        'API: GET /api/v1/reports?limit=50, one connection, sequential, p95 of every response (median of the runs). ' +
        'Unfiltered ceiling: `SELECT <same columns> FROM report ORDER BY created_at DESC, id DESC LIMIT 50` over raw pg, sequential. ' +
        '"SQL p95" is the need-to-know page query the API runs (inside one statement with the page\'s entities and its audit event), built by the product\'s own code (AbilityFactory + src/reports/list/: reportPageQuery: one branch per CASL rule, merged by a UNION; for `q`, one look-up of the branches\' access keys with the text, when every branch has keys; checked to return the same ids as the API) and timed over raw pg: ' +
        'it separates the cost of the filter from the cost of HTTP, auth, the entities and the audit write.',
      '',
    );
    for (const x of r.reads) {
      push(
        `### ${x.rows.toLocaleString('en')} reports (seeded in ${f0(x.seedSeconds)} s)`,
        '',
        `Unfiltered indexed query p95: **${f2(x.unfiltered.p95)} ms** (runs ${x.unfiltered.p95Runs.map(f2).join(', ')})${x.q ? `; with \`q\`: ${f2(x.q.unfiltered.p95)} ms` : ''}${x.qBroad ? `; with the broad \`q\`: ${f2(x.qBroad.unfiltered.p95)} ms` : ''}. API peak RSS in this phase ${f1(x.apiPeakRssMb)} MB.`,
        '',
        '| query | caller | visible rows | API p50 ms | API p95 ms | API p95 ÷ unfiltered | SQL p95 ms | SQL p95 ÷ unfiltered | full-table scans of report (Seq Scan nodes) | SQL = API ids |',
        '|---|---|---|---|---|---|---|---|---|---|',
        ...callerRows(x, x.callers, x.unfiltered.p95, 'list'),
        ...(x.q ? callerRows(x, x.q.callers, x.q.unfiltered.p95, `q=${x.q.term ?? 'lex17q'}`) : []),
        ...(x.qBroad ? callerRows(x, x.qBroad.callers, x.qBroad.unfiltered.p95, BROAD_LABEL) : []),
        '',
        'Plans (EXPLAIN ANALYZE, FORMAT JSON). A full-table scan is a Seq Scan node on report, or an index scan without index condition that read ≥ 50 % of the table (an ordered walk of the whole table, e.g. `Index Scan Backward using report_created_idx` whose filter removes every row): that is what `seqScans` in results.json counts.',
        '',
        ...(['analyst', 'onePercent', 'none'] as Caller[]).flatMap((c) => [
          `- list, ${c}: ${x.callers[c].plan} (EXPLAIN ANALYZE execution ${x.callers[c].executionMs ?? '?'} ms)`,
          ...(x.q ? [`- q, ${c}: ${x.q.callers[c].plan} (execution ${x.q.callers[c].executionMs ?? '?'} ms)`] : []),
          ...(x.qBroad ? [`- broad q, ${c}: ${x.qBroad.callers[c].plan} (execution ${x.qBroad.callers[c].executionMs ?? '?'} ms)`] : []),
        ]),
        '',
      );
    }
    const worst = r.reads[r.reads.length - 1];
    const slowest = (['analyst', 'onePercent', 'none'] as Caller[]).reduce((a, b) => (worst.callers[a].sql.p95 >= worst.callers[b].sql.p95 ? a : b));
    push(
      `<details><summary>EXPLAIN (ANALYZE, BUFFERS) of the slowest list caller at ${worst.rows.toLocaleString('en')} rows (${slowest})</summary>`,
      '',
      '```',
      worst.callers[slowest].analyze,
      '```',
      '',
      '</details>',
      '',
    );
    if (r.reads.length > 1) {
      const [a, b] = [r.reads[0], r.reads[r.reads.length - 1]];
      push(
        `Growth ${a.rows.toLocaleString('en')} → ${b.rows.toLocaleString('en')} (API p95 ratio): ` +
          (['analyst', 'onePercent', 'none'] as Caller[]).map((c) => `${c} ${f2(b.callers[c].api.p95 / a.callers[c].api.p95)}×`).join(', ') +
          `; SQL p95: ${(['analyst', 'onePercent', 'none'] as Caller[]).map((c) => `${c} ${f2(b.callers[c].sql.p95 / a.callers[c].sql.p95)}×`).join(', ')}.`,
        '',
      );
    }
    const withCorrelations = r.reads.filter((x) => x.correlations);
    if (withCorrelations.length === 0) push('Correlations (GET /reports/:id/correlations) at scale: not measured in this run.', '');
    for (const x of withCorrelations) {
      const c = x.correlations!;
      push(
        `### Correlations at ${x.rows.toLocaleString('en')} reports`,
        '',
        'GET /api/v1/reports/:id/correlations, one connection, sequential, p95 of every answer. Each caller asks about the newest report on its first list page; the "none" caller, who may read none, asks about the analyst\'s and gets 404. ' +
          'Ceiling, for the same report: the same correlation over raw pg without need-to-know (its entity keys, over-common ones left out as the product does, every other report holding one, newest first).',
        '',
        '| caller | status | matching rows (unfiltered) | readable matches | hidden matches (per-agency counts) | unfiltered SQL p95 ms | API p50 ms | API p95 ms | API p95 ÷ unfiltered |',
        '|---|---|---|---|---|---|---|---|---|',
        ...(['analyst', 'onePercent', 'none'] as Caller[]).map((k) => {
          const v = c.callers[k];
          return `| ${k} | ${v.status} | ${v.unfiltered.matches} | ${v.readable} | ${v.hidden} | ${f2(v.unfiltered.p95)} | ${f1(v.api.p50)} | ${f1(v.api.p95)} | ${f1(v.api.p95 / v.unfiltered.p95)} |`;
        }),
        '',
      );
    }
  }

  const a = r.audit;
  if (a) {
    push(
      '## 4. Audit',
      '',
      `Intake with vs without the audit write: see §1 (auditVsNoAudit = **${num(s.auditVsNoAudit)}**).`,
      '',
      `Verify: ${a.syntheticEvents.toLocaleString('en')} events appended to the chain (hashes by src/audit/canonical.ts chainHash, inserted in ${f0(a.seedSeconds)} s with the API stopped), ` +
        `then GET /api/v1/audit-events/verify as an AUDITOR: **${a.verify.checked.toLocaleString('en')} events checked, valid = ${String(a.verify.valid)}**, ` +
        `${a.verify.seconds.map(f1).join(' s, ')} s → ${f0(a.verifyEventsPerSec)} events/s (API peak RSS ${f1(a.apiPeakRssMb)} MB). ` +
        `Raw SHA-256 (hex digest) over exactly the bytes each synthetic event contributes (prevHash ‖ canonical JSON), in node: ${a.rawSha.seconds.map(f2).join(' s, ')} s → ${f0(a.rawEventsPerSec)} events/s. ` +
        `verifyVsRawSha256 = **${num(s.verifyVsRawSha256, (x) => x.toFixed(4))}** (no target in the issue).`,
      '',
    );
  }

  push(
    '## 5. Memory',
    '',
    `API RSS peak during intake: ${s.apiPeakRssMb === null ? 'null' : `${f1(s.apiPeakRssMb)} MB`}` +
      `${r.reads?.length ? `; during reads: ${r.reads.map((x) => `${f1(x.apiPeakRssMb)} MB @ ${x.rows.toLocaleString('en')}`).join(', ')}` : ''}` +
      `${a ? `; during verify (a fresh API process): ${f1(a.apiPeakRssMb)} MB` : ''}.`,
    '',
    `RSS of the one API process that runs from the intake's (b) series to the audit phase, at phase boundaries: ${(r.rssTimeline ?? []).map((x) => `${x.at} ${x.mb === null ? '?' : f0(x.mb)} MB`).join('; ')}.`,
    '',
    i?.soak
      ? `Soak: POST /reports evenly paced at ${i.soak.rate} req/s (50 % of peak) for ${i.soak.seconds} s (achieved ${f0(i.soak.achieved)} req/s, p50 ${f1(i.soak.p50)} ms, p99 ${f1(i.soak.p99)} ms, non-2xx ${i.soak.non2xx}): ` +
        `RSS ${f0(i.soak.startMb)} → ${f0(i.soak.endMb)} MB (max ${f0(i.soak.maxMb)} MB); the lowest sample (the heap after a collection) of the last minute minus that of the second minute: **${soakGrowth === null ? '?' : f1(soakGrowth)} MB**; ` +
        `least-squares slope after the first minute ${f2(i.soak.slopeMbPerMin)} MB/min (a sawtooth of garbage collections makes the slope noisy; the floors are the better reading). Every 10 s: ${i.soak.samples.join(', ')} MB.`
      : 'Soak: not run in this mode (BENCH_SOAK=0; the full mode runs 300 s).',
    '',
    '## 6. Fault tests',
    '',
    // Written by `npm run bench:faults` (bench/lib/faults-report.ts) between its markers; kept as it is here.
    previousFaultsBlock() ?? placeholderFaultsBlock(),
    '',
    // The fan-out case's section (bench/lib/fanout.ts), kept as it is; its phase replaces the block.
    previousFanoutSection() ?? '',
  );

  const findings = join(BENCH_DIR, 'findings.md');
  if (existsSync(findings)) push(readFileSync(findings, 'utf8').trim(), '');
  push('## results.json', '', '```json', JSON.stringify(s, null, 2), '```', '');
  return out.join('\n');
}

/** Writes RESULTS.md and results.json; a partial run (some phases only) writes into bench/.data instead. */
export function writeResults(r: BenchResults, partial = false): Summary {
  const date = r.date ?? new Date().toISOString();
  r.date = date;
  const s = summarise(r, date);
  const dir = partial ? join(BENCH_DIR, '.data') : BENCH_DIR;
  writeFileSync(join(dir, partial ? 'partial-results.json' : 'results.json'), `${JSON.stringify(s, null, 2)}\n`);
  writeFileSync(join(dir, partial ? 'partial-RESULTS.md' : 'RESULTS.md'), markdown(r, s));
  // The full raw measurements, for whoever wants to dig (git-ignored).
  writeFileSync(join(BENCH_DIR, '.data', partial ? 'partial-raw-results.json' : 'raw-results.json'), `${JSON.stringify(r, null, 2)}\n`);
  return s;
}
