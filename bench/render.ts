/**
 * Re-renders bench/RESULTS.md and bench/results.json from the last full measurements
 * (bench/.data/raw-results.json, written by `npm run bench`) — e.g. after editing bench/findings.md —
 * without measuring again. The date stays the date of the measurements.
 *
 *   node -r ts-node/register/transpile-only bench/render.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_DIR } from './lib/config';
import { writeResults } from './lib/results';
import type { BenchResults } from './lib/types';

const raw = JSON.parse(readFileSync(join(DATA_DIR, 'raw-results.json'), 'utf8')) as BenchResults;
writeResults(raw);
process.stdout.write(`re-rendered bench/RESULTS.md and bench/results.json from the measurements of ${raw.date ?? '?'}\n`);
