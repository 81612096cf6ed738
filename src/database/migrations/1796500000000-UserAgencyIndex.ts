import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A publication asks, per recipient agency, whether one of its active users is cleared for the
 * assessment (SPEC S1, `OutboxService.forAssessment`): an index on the user's agency answers that from
 * the agency's own users instead of walking every account once per recipient.
 */
export class UserAgencyIndex1796500000000 implements MigrationInterface {
  name = 'UserAgencyIndex1796500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "IDX_app_user_agency" ON "app_user" ("agency_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "IDX_app_user_agency"`);
  }
}
