import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The community-TLP branch of need-to-know reads one of two partial indexes, and with the markings in
 * both the check reads the index alone (index-only scans, no heap fetch):
 *
 * - `report_community_recent_idx` (created_at, id), walked newest first, now INCLUDE (classification,
 *   compartments): for an officer cleared for little, the ~600 rows it passes over cost no heap fetch
 *   (bench/findings.md F2; 1.6 → 0.2 ms at 1M reports);
 * - `report_community_idx` (classification, created_at, id), now INCLUDE (compartments): it must stay
 *   the cheaper plan for a caller whose classifications hold no community rows at all (the "sees
 *   nothing" caller), or PostgreSQL walks the whole covering date index instead (3.4 ms at 1M).
 */
export class CoveringCommunity1795909500000 implements MigrationInterface {
  name = 'CoveringCommunity1795909500000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "report_community_idx"`);
    await q.query(
      `CREATE INDEX "report_community_idx" ON "report" ("classification", "created_at", "id") INCLUDE ("compartments") WHERE "tlp" IN ('CLEAR', 'GREEN') AND "purged_at" IS NULL`,
    );
    await q.query(`DROP INDEX "report_community_recent_idx"`);
    await q.query(
      `CREATE INDEX "report_community_recent_idx" ON "report" ("created_at", "id") INCLUDE ("classification", "compartments") WHERE "tlp" IN ('CLEAR', 'GREEN') AND "purged_at" IS NULL`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "report_community_idx"`);
    await q.query(
      `CREATE INDEX "report_community_idx" ON "report" ("classification", "created_at", "id") WHERE "tlp" IN ('CLEAR', 'GREEN') AND "purged_at" IS NULL`,
    );
    await q.query(`DROP INDEX "report_community_recent_idx"`);
    await q.query(`CREATE INDEX "report_community_recent_idx" ON "report" ("created_at", "id") WHERE "tlp" IN ('CLEAR', 'GREEN') AND "purged_at" IS NULL`);
  }
}
