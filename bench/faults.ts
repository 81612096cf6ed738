/**
 * npm run bench:faults — NOT IMPLEMENTED YET (issue 6, "Fault tests").
 *
 * A stub: it says so and records `faults: {}` in bench/results.json (keeping every other figure), so
 * nobody mistakes an empty result for a passed one. The four faults of the issue (SIGKILL Redis during
 * publishes, PostgreSQL stopped during intake, SIGKILL the worker mid-webhook, SIGSTOP the API) are
 * still to be built.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const file = join(__dirname, 'results.json');
const blank = {
  date: null,
  machine: null,
  intakeVsRawPg: null,
  intakeVsBareNest: null,
  listP95VsUnfiltered: { analyst: null, onePercent: null, none: null },
  listGrowth100kTo1m: null,
  seqScans: null,
  disseminationVsRawBullmq: null,
  auditVsNoAudit: null,
  verifyVsRawSha256: null,
  apiPeakRssMb: null,
  faults: {},
};
const current: Record<string, unknown> = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : blank;
writeFileSync(file, `${JSON.stringify({ ...current, faults: {} }, null, 2)}\n`);
process.stdout.write('bench:faults: not implemented — no fault test ran; bench/results.json records faults: {}\n');
