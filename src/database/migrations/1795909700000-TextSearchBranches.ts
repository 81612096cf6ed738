import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Text search (`GET /reports?q=`) for an officer: each need-to-know branch (community TLP, shared with
 * the agency, the agency's own) ANDed the term with the branch's condition as two bitmaps, and the
 * branch's bitmap was large (every community report of the caller's classifications, every report
 * shared with or filed by the agency: tens of thousands at 1M reports) — 13–28 ms a branch
 * (bench/findings.md F2). One index per branch now holds both the branch's key and the text, so a
 * branch reads only the reports that match both:
 *
 * - `report_search_community_idx`: GIN over (classification, search_vector) of the community-TLP
 *   reports (partial: the community branch's own predicate). With the classification in it, the
 *   planner estimates the branch's few matches rightly; a partial GIN over the text alone was
 *   passed over for the old bitmap AND, which it wrongly costed lower;
 * - `report_search_releasable_idx`: GIN over (releasable_to, search_vector);
 * - `report_search_agency_idx`: GIN over (agency_id, search_vector).
 *
 * GIN over a scalar column (classification, agency_id) needs `btree_gin`, a contrib extension shipped
 * with PostgreSQL and trusted (the database owner may create it). The classification was tried in the
 * other two as well: their scans then also walk its long posting lists, and were slower.
 *
 * Built without CONCURRENTLY (a migration runs in a transaction): on a large table, apply it with
 * intake stopped. `down` leaves the extension, which other objects may use.
 */
export class TextSearchBranches1795909700000 implements MigrationInterface {
  name = 'TextSearchBranches1795909700000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gin`);
    await q.query(`CREATE INDEX "report_search_community_idx" ON "report" USING GIN ("classification", "search_vector") WHERE "tlp" IN ('CLEAR', 'GREEN') AND "purged_at" IS NULL`);
    await q.query(`CREATE INDEX "report_search_releasable_idx" ON "report" USING GIN ("releasable_to", "search_vector")`);
    await q.query(`CREATE INDEX "report_search_agency_idx" ON "report" USING GIN ("agency_id", "search_vector")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "report_search_agency_idx"`);
    await q.query(`DROP INDEX "report_search_releasable_idx"`);
    await q.query(`DROP INDEX "report_search_community_idx"`);
  }
}
