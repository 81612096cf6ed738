import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `report_share` also carries its report's classification and compartments (kept by the same trigger,
 * now also on a change of either), in its primary key's leaf pages (INCLUDE). The "shared with my
 * agency" walk can then pass over the shares whose markings the caller is not cleared for without
 * reading their reports — before, every share it passed over cost a report look-up (~400 of them for
 * an officer cleared for little at 1M reports; bench/findings.md F2). The full branch condition is
 * still checked on the report for every share that passes.
 */
export class ShareMarkings1795909600000 implements MigrationInterface {
  name = 'ShareMarkings1795909600000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "report_share" ADD "classification" text, ADD "compartments" text array`);
    await q.query(`UPDATE "report_share" s SET "classification" = r."classification", "compartments" = r."compartments" FROM "report" r WHERE r."id" = s."report_id"`);
    await q.query(`ALTER TABLE "report_share" ALTER "classification" SET NOT NULL, ALTER "compartments" SET NOT NULL`);
    await q.query(
      `ALTER TABLE "report_share" DROP CONSTRAINT "PK_ee9c9471e6601721e7b53953595",
         ADD CONSTRAINT "PK_ee9c9471e6601721e7b53953595" PRIMARY KEY ("agency_code", "created_at", "report_id") INCLUDE ("classification", "compartments")`,
    );
    await q.query(`
      CREATE OR REPLACE FUNCTION report_share_sync() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          DELETE FROM report_share WHERE agency_code = ANY (OLD.releasable_to) AND created_at = OLD.created_at AND report_id = OLD.id;
        END IF;
        INSERT INTO report_share (agency_code, created_at, report_id, classification, compartments)
          SELECT DISTINCT code, NEW.created_at, NEW.id, NEW.classification, NEW.compartments FROM unnest(NEW.releasable_to) AS code;
        RETURN NULL;
      END $$`);
    await q.query(`DROP TRIGGER report_share_sync ON report`);
    await q.query(
      `CREATE TRIGGER report_share_sync AFTER INSERT OR UPDATE OF releasable_to, created_at, classification, compartments ON report FOR EACH ROW EXECUTE FUNCTION report_share_sync()`,
    );
    await q.query(`ANALYZE "report_share"`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER report_share_sync ON report`);
    await q.query(`
      CREATE OR REPLACE FUNCTION report_share_sync() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          DELETE FROM report_share WHERE agency_code = ANY (OLD.releasable_to) AND created_at = OLD.created_at AND report_id = OLD.id;
        END IF;
        INSERT INTO report_share (agency_code, created_at, report_id)
          SELECT DISTINCT code, NEW.created_at, NEW.id FROM unnest(NEW.releasable_to) AS code;
        RETURN NULL;
      END $$`);
    await q.query(
      `CREATE TRIGGER report_share_sync AFTER INSERT OR UPDATE OF releasable_to, created_at ON report FOR EACH ROW EXECUTE FUNCTION report_share_sync()`,
    );
    await q.query(
      `ALTER TABLE "report_share" DROP CONSTRAINT "PK_ee9c9471e6601721e7b53953595",
         ADD CONSTRAINT "PK_ee9c9471e6601721e7b53953595" PRIMARY KEY ("agency_code", "created_at", "report_id")`,
    );
    await q.query(`ALTER TABLE "report_share" DROP "classification", DROP "compartments"`);
  }
}
