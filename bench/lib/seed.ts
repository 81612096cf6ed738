import type { Pool, PoolClient } from 'pg';

/** Report g.i's id: md5-derived, with the version (4) and variant (8) nibbles of an RFC 4122 UUID, which the API's `:id` parameters require. */
const REPORT_ID = `overlay(overlay(md5('bench-report-' || g.i) placing '4' from 13) placing '8' from 17)::uuid`;

/**
 * Reports seeded straight into PostgreSQL with generate_series (not the API), fast and deterministic:
 * row i's markings come from hashint8extended(i, k), so a row is the same in every run.
 *
 * Distribution (designed so the three callers of the read benchmark see ~95 %, ~1 % and exactly 0):
 * - agency: one of 20 originating agencies, uniform;
 * - classification: UNCLASSIFIED 10 %, RESTRICTED 15 %, CONFIDENTIAL 25 %, SECRET 30 %, TOP_SECRET 20 %;
 * - compartments: none 50 %, HUMINT 20 %, SIGINT 15 %, FININT 5 %, HUMINT+SIGINT 10 %;
 * - TLP: UNCLASSIFIED rows are AMBER 50 %, AMBER+STRICT 25 %, RED 25 % (never community-wide);
 *   others CLEAR 1.5 %, GREEN 2.5 %, AMBER 50 %, AMBER+STRICT 26 %, RED 20 %;
 * - releasableTo: none 80 %, one of the 20 agencies 15 %, two 5 % (never the no-report agency);
 * - text: title and narrative from a 200-token vocabulary (`lex<n>q`), each token in ~2.5 % of rows;
 * - entities: a PHONE from a pool of 50,000 (≈ 20 reports per value at 1M) in every report, and a
 *   VEHICLE from a pool of 20,000 in half of them.
 */
export interface SeedAgency {
  id: string;
  code: string;
  userId: string;
}

export const VOCAB_SIZE = 200;
export const vocabWord = (n: number): string => `lex${n}q`;
/** A search term for the `q` benchmark (present in ≈ 2.5 % of rows). */
export const SEARCH_WORD = vocabWord(17);
/**
 * A broad search, reported beside it: 20 words OR'd (websearch syntax), in ≈ 40 % of rows. The keys of
 * a need-to-know branch then meet a long list of matches (bench/findings.md F2).
 */
export const BROAD_SEARCH = Array.from({ length: 20 }, (_, i) => vocabWord(i)).join(' or ');

const r = (k: number) => `((hashint8extended(g.i, ${k}) & 2147483647) % 1000)`;

const CATEGORIES = ['TERRORISM', 'VIOLENT_EXTREMISM', 'ORGANISED_CRIME', 'CYBER', 'PUBLIC_HEALTH', 'CRITICAL_INFRASTRUCTURE', 'BORDER_SECURITY', 'PUBLIC_ORDER', 'OTHER'];

export async function prepareSeed(c: PoolClient | Pool, agencies: SeedAgency[], t0: Date): Promise<void> {
  await c.query(`DROP TABLE IF EXISTS bench_agency`);
  await c.query(`CREATE UNLOGGED TABLE bench_agency (n int PRIMARY KEY, id uuid NOT NULL, user_id uuid NOT NULL, code text NOT NULL)`);
  await c.query(`INSERT INTO bench_agency SELECT * FROM unnest($1::int[], $2::uuid[], $3::uuid[], $4::text[])`, [
    agencies.map((_, i) => i),
    agencies.map((a) => a.id),
    agencies.map((a) => a.userId),
    agencies.map((a) => a.code),
  ]);
  await c.query(`DROP TABLE IF EXISTS bench_seed_meta`);
  await c.query(`CREATE UNLOGGED TABLE bench_seed_meta (t0 timestamptz NOT NULL)`);
  await c.query(`INSERT INTO bench_seed_meta VALUES ($1)`, [t0]);
}

/** Inserts rows i in [from, to] (1-based, inclusive) and their entities. */
export async function seedReports(c: PoolClient, from: number, to: number): Promise<void> {
  const n = 20;
  const word = (k: number) => `'lex' || (${r(k)} % ${VOCAB_SIZE}) || 'q'`;
  await c.query(
    `
    INSERT INTO report (id, agency_id, created_by, title, narrative, category, occurred_at, location, source_reliability,
                        information_credibility, classification, compartments, tlp, releasable_to, source_description,
                        suspicion_basis, review_due_at, validated_at, created_at)
    SELECT ${REPORT_ID},
           a.id, a.user_id,
           'Report ' || g.i || ': ' || ${word(10)} || ' ' || ${word(11)},
           'Observed ' || ${word(12)} || ' near ' || ${word(13)} || ' with ' || ${word(14)} || '. Synthetic benchmark narrative.',
           (ARRAY[${CATEGORIES.map((x) => `'${x}'`).join(',')}])[1 + ${r(15)} % ${CATEGORIES.length}],
           t.created_at - make_interval(hours => (${r(9)} % 72)::int),
           CASE WHEN ${r(16)} < 500 THEN jsonb_build_object('region', 'R' || (${r(16)} % 10), 'lat', 51.5, 'lon', -0.12) END,
           (ARRAY['A','B','C','D','E','F'])[1 + ${r(17)} % 6],
           1 + ${r(18)} % 6,
           m.classification,
           m.compartments,
           CASE WHEN m.classification = 'UNCLASSIFIED' THEN
                  CASE WHEN ${r(3)} < 500 THEN 'AMBER' WHEN ${r(3)} < 750 THEN 'AMBER+STRICT' ELSE 'RED' END
                ELSE
                  CASE WHEN ${r(3)} < 15 THEN 'CLEAR' WHEN ${r(3)} < 40 THEN 'GREEN' WHEN ${r(3)} < 540 THEN 'AMBER'
                       WHEN ${r(3)} < 800 THEN 'AMBER+STRICT' ELSE 'RED' END
           END,
           CASE WHEN ${r(4)} < 800 THEN '{}'::text[]
                WHEN ${r(4)} < 950 THEN ARRAY[(SELECT code FROM bench_agency WHERE n = ${r(5)} % ${n})]
                ELSE ARRAY[(SELECT code FROM bench_agency WHERE n = ${r(5)} % ${n}),
                           (SELECT code FROM bench_agency WHERE n = (${r(5)} % ${n} + 1 + ${r(6)} % ${n - 1}) % ${n})]
           END,
           CASE WHEN ${r(19)} < 300 THEN 'Benchmark source ' || g.i END,
           'Synthetic benchmark row ' || g.i,
           t.created_at + interval '1826 days',
           NULL,
           t.created_at
      FROM generate_series($1::int, $2::int) AS g(i)
      CROSS JOIN LATERAL (
        SELECT (SELECT t0 FROM bench_seed_meta) + make_interval(secs => (g.i + ${r(8)} / 1000.0)::double precision) AS created_at
      ) t
      CROSS JOIN LATERAL (
        SELECT CASE WHEN ${r(1)} < 100 THEN 'UNCLASSIFIED' WHEN ${r(1)} < 250 THEN 'RESTRICTED'
                    WHEN ${r(1)} < 500 THEN 'CONFIDENTIAL' WHEN ${r(1)} < 800 THEN 'SECRET' ELSE 'TOP_SECRET' END AS classification,
               CASE WHEN ${r(2)} < 500 THEN '{}'::text[] WHEN ${r(2)} < 700 THEN '{HUMINT}'::text[]
                    WHEN ${r(2)} < 850 THEN '{SIGINT}'::text[] WHEN ${r(2)} < 900 THEN '{FININT}'::text[]
                    ELSE '{HUMINT,SIGINT}'::text[] END AS compartments
      ) m
      JOIN bench_agency a ON a.n = ${r(7)} % ${n}`,
    [from, to],
  );
  await c.query(
    `
    INSERT INTO report_entity (report_id, type, value, normalized)
    SELECT ${REPORT_ID}, 'PHONE', '+44 7700 9' || lpad((${r(20)} * 50 + ${r(21)} % 50)::text, 5, '0'),
           '+4477009' || lpad((${r(20)} * 50 + ${r(21)} % 50)::text, 5, '0')
      FROM generate_series($1::int, $2::int) AS g(i)
    UNION ALL
    SELECT ${REPORT_ID}, 'VEHICLE', 'AB' || (${r(22)} * 20 + ${r(23)} % 20), 'AB' || (${r(22)} * 20 + ${r(23)} % 20)
      FROM generate_series($1::int, $2::int) AS g(i)
     WHERE ${r(24)} < 500`,
    [from, to],
  );
}

interface IndexDef {
  name: string;
  def: string;
}

/** Secondary indexes of report and report_entity (not constraints), exactly as the migrations made them. */
async function secondaryIndexes(c: PoolClient): Promise<IndexDef[]> {
  const res = await c.query<IndexDef>(`
    SELECT i.relname AS name, pg_get_indexdef(i.oid) AS def
      FROM pg_index x
      JOIN pg_class i ON i.oid = x.indexrelid
      JOIN pg_class t ON t.oid = x.indrelid
     WHERE t.relname IN ('report', 'report_entity') AND t.relnamespace = 'public'::regnamespace
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.oid)`);
  return res.rows;
}

/**
 * Seeds rows [from, to] in chunks. For a big batch the secondary indexes are dropped first and
 * re-created afterwards from their own definitions (pg_get_indexdef), which is much faster than
 * maintaining them row by row; the end state is the migrated schema.
 */
export async function seed(pool: Pool, from: number, to: number, log: (s: string) => void): Promise<number> {
  const t = performance.now();
  const c = await pool.connect();
  try {
    await c.query(`SET maintenance_work_mem = '512MB'`);
    await c.query(`SET max_parallel_maintenance_workers = 1`);
    const big = to - from + 1 >= 200_000;
    const defs = big ? await secondaryIndexes(c) : [];
    for (const d of defs) await c.query(`DROP INDEX "${d.name}"`);
    const chunk = 100_000;
    for (let a = from; a <= to; a += chunk) {
      const b = Math.min(to, a + chunk - 1);
      await c.query('BEGIN');
      await seedReports(c, a, b);
      await c.query('COMMIT');
      log(`  seeded reports ${a}–${b} (${((performance.now() - t) / 1000).toFixed(0)} s)`);
    }
    for (const d of defs) await c.query(d.def);
    if (defs.length) log(`  re-created ${defs.length} indexes (${((performance.now() - t) / 1000).toFixed(0)} s)`);
    await c.query('VACUUM ANALYZE report');
    await c.query('VACUUM ANALYZE report_entity');
    await c.query('VACUUM ANALYZE report_share');
  } finally {
    c.release();
  }
  return (performance.now() - t) / 1000;
}
