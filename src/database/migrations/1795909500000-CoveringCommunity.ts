import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The community-TLP branch of need-to-know walks `report_community_recent_idx` newest first and keeps
 * the rows the caller is cleared for. With the classification and compartments in the index, that
 * check reads the index alone (an index-only scan): for an officer cleared for little, the ~600 rows it
 * passes over cost no heap fetch (bench/findings.md F2; 1.6 → 0.2 ms at 1M reports).
 */
export class CoveringCommunity1795909500000 implements MigrationInterface {
  name = 'CoveringCommunity1795909500000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "report_community_recent_idx"`);
    await q.query(
      `CREATE INDEX "report_community_recent_idx" ON "report" ("created_at", "id") INCLUDE ("classification", "compartments") WHERE "tlp" IN ('CLEAR', 'GREEN') AND "purged_at" IS NULL`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "report_community_recent_idx"`);
    await q.query(`CREATE INDEX "report_community_recent_idx" ON "report" ("created_at", "id") WHERE "tlp" IN ('CLEAR', 'GREEN') AND "purged_at" IS NULL`);
  }
}
