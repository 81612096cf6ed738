import type { MigrationInterface, QueryRunner } from 'typeorm';

/** report_share's trigger function: one row per code of `releasable_to`, for live reports only when `liveOnly`. */
const syncFunction = (liveOnly: boolean) => `
  CREATE OR REPLACE FUNCTION report_share_sync() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'UPDATE' THEN
      DELETE FROM report_share WHERE agency_code = ANY (OLD.releasable_to) AND created_at = OLD.created_at AND report_id = OLD.id;
    END IF;
    INSERT INTO report_share (agency_code, created_at, report_id, classification, compartments)
      SELECT DISTINCT code, NEW.created_at, NEW.id, NEW.classification, NEW.compartments FROM unnest(NEW.releasable_to) AS code${liveOnly ? `
       WHERE NEW.purged_at IS NULL` : ''};
    RETURN NULL;
  END $$`;

/**
 * The list's "shared with my agency" branch no longer looks up each share's report (bench/findings.md F2):
 *
 * - `report_share` now holds the shares of live reports only: the trigger writes none for a purged
 *   report and also runs when `purged_at` changes. With the markings it already copies, a share row
 *   then answers every term of that branch (live, releasable to the agency, classification,
 *   compartments) by itself; the page query checks the whole need-to-know condition once more on the
 *   page's own rows (src/reports/reports.service.ts).
 * - `report_agency_created_idx` carries classification, compartments and purged_at in its leaf pages
 *   (INCLUDE), so the own-agency branch passes over the reports the caller is not cleared for without
 *   reading them from the table. Same name, same keys: it serves everything it served before.
 *
 * Built in the migration's transaction, not CONCURRENTLY: dropping the trigger and the old index takes
 * an ACCESS EXCLUSIVE lock on `report`, held until the migration commits, so reads wait as well as
 * writes while the index is rebuilt. On a large table, apply it with the API stopped.
 */
export class ShareLiveAgencyCover1795909900000 implements MigrationInterface {
  name = 'ShareLiveAgencyCover1795909900000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(syncFunction(true));
    await q.query(`DROP TRIGGER report_share_sync ON report`);
    await q.query(
      `CREATE TRIGGER report_share_sync AFTER INSERT OR UPDATE OF releasable_to, created_at, classification, compartments, purged_at ON report FOR EACH ROW EXECUTE FUNCTION report_share_sync()`,
    );
    await q.query(`DELETE FROM report_share s USING report r WHERE r.id = s.report_id AND r.purged_at IS NOT NULL`);
    await q.query(`DROP INDEX "report_agency_created_idx"`);
    await q.query(`CREATE INDEX "report_agency_created_idx" ON "report" ("agency_id", "created_at", "id") INCLUDE ("classification", "compartments", "purged_at")`);
    await q.query(`ANALYZE "report_share"`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "report_agency_created_idx"`);
    await q.query(`CREATE INDEX "report_agency_created_idx" ON "report" ("agency_id", "created_at", "id")`);
    await q.query(syncFunction(false));
    await q.query(`DROP TRIGGER report_share_sync ON report`);
    await q.query(
      `CREATE TRIGGER report_share_sync AFTER INSERT OR UPDATE OF releasable_to, created_at, classification, compartments ON report FOR EACH ROW EXECUTE FUNCTION report_share_sync()`,
    );
    await q.query(
      `INSERT INTO report_share (agency_code, created_at, report_id, classification, compartments)
       SELECT DISTINCT unnest(releasable_to), created_at, id, classification, compartments FROM report WHERE purged_at IS NOT NULL`,
    );
  }
}
