import type { MigrationInterface, QueryRunner } from 'typeorm';

const KINDS = ['FUSION_CELL', 'POLICE', 'SECURITY_SERVICE', 'CUSTOMS', 'BORDER', 'MILITARY', 'PUBLIC_HEALTH', 'EMERGENCY_MANAGEMENT', 'FOREIGN_PARTNER', 'OTHER'];
const check = (kinds: string[]) => `ALTER TABLE "agency" ADD CONSTRAINT "CHK_agency_kind" CHECK ("kind" IN (${kinds.map((k) => `'${k}'`).join(',')}))`;

/**
 * The agency kind `OVERSIGHT` (SPEC S1 "Auditors by scope"): an inspectorate, data-protection authority
 * or parliamentary committee, whose AUDITORs see every audit event, as the fusion cell's do.
 *
 * `down` turns any OVERSIGHT agency into OTHER before restoring the old list: its auditors then see
 * only their own agency's events (narrower, never wider).
 */
export class OversightAgencyKind1796300000000 implements MigrationInterface {
  name = 'OversightAgencyKind1796300000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "agency" DROP CONSTRAINT "CHK_agency_kind"`);
    await q.query(check([...KINDS, 'OVERSIGHT']));
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "agency" DROP CONSTRAINT "CHK_agency_kind"`);
    await q.query(`UPDATE "agency" SET "kind" = 'OTHER' WHERE "kind" = 'OVERSIGHT'`);
    await q.query(check(KINDS));
  }
}
