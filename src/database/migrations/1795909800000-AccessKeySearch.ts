import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Text search (`GET /reports?q=`) for an officer, again (bench/findings.md F2). The three branch
 * indexes of TextSearchBranches held a branch's anchor (agency, shared-with code, community TLP) and the
 * text, but not the caller's clearance: at 1M reports the own-agency branch read every report of the
 * agency that matched the term (1,237 for a common one) and threw 90 % of them away on the heap for
 * their classification or compartments — about 7 ms of a 10-ms search.
 *
 * Now each live report carries **access keys**, one per way in, each naming the way in and the
 * report's exact markings:
 *
 * - `a:<agency uuid>/<classification>/<compartments>`: the originating agency;
 * - `r:<agency code>/<classification>/<compartments>`: one per code in `releasable_to`;
 * - `c:/<classification>/<compartments>`: community TLP (CLEAR or GREEN) only;
 *
 * `<compartments>` being the distinct compartments, sorted bytewise, joined by `,` (`''` for none).
 * Codes, compartments and classifications never contain `/` or `,` (their DTO patterns).
 *
 * One GIN index holds the keys and the text of every live report. A caller's need-to-know branch lists
 * the keys it admits (src/reports/list/access-keys.ts: its anchor × its classifications × every
 * subset of the caller's compartments), so the branch reads exactly the reports it may return that
 * match the term. It replaces the three branch indexes (one index to maintain on intake instead of three).
 *
 * `report_access_keys` is IMMUTABLE because the index depends on it: never change it in place — a new
 * definition needs a new name and a new index. Built without CONCURRENTLY (a migration runs in a
 * transaction): on a large table, apply it with intake stopped.
 */
export class AccessKeySearch1795909800000 implements MigrationInterface {
  name = 'AccessKeySearch1795909800000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION report_access_keys(agency uuid, releasable text[], classification text, compartments text[], tlp text) RETURNS text[]
      LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
      DECLARE
        markings text := '/' || classification || '/' || CASE
          WHEN cardinality(compartments) < 2 THEN array_to_string(compartments, ',')
          ELSE array_to_string(ARRAY(SELECT DISTINCT x COLLATE "C" FROM unnest(compartments) x ORDER BY 1), ',')
        END;
        keys text[] := ARRAY['a:' || agency::text || markings];
        code text;
      BEGIN
        FOREACH code IN ARRAY releasable LOOP
          keys := keys || ('r:' || code || markings);
        END LOOP;
        IF tlp IN ('CLEAR', 'GREEN') THEN
          keys := keys || ('c:' || markings);
        END IF;
        RETURN keys;
      END $$`);
    await q.query(
      `CREATE INDEX "report_search_access_idx" ON "report" USING GIN (report_access_keys("agency_id", "releasable_to", "classification", "compartments", "tlp"), "search_vector") WHERE "purged_at" IS NULL`,
    );
    await q.query(`DROP INDEX "report_search_agency_idx"`);
    await q.query(`DROP INDEX "report_search_releasable_idx"`);
    await q.query(`DROP INDEX "report_search_community_idx"`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "report_search_community_idx" ON "report" USING GIN ("classification", "search_vector") WHERE "tlp" IN ('CLEAR', 'GREEN') AND "purged_at" IS NULL`);
    await q.query(`CREATE INDEX "report_search_releasable_idx" ON "report" USING GIN ("releasable_to", "search_vector")`);
    await q.query(`CREATE INDEX "report_search_agency_idx" ON "report" USING GIN ("agency_id", "search_vector")`);
    await q.query(`DROP INDEX "report_search_access_idx"`);
    await q.query(`DROP FUNCTION report_access_keys(uuid, text[], text, text[], text)`);
  }
}
