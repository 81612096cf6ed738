import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Read paths and write amplification found by the benchmarks (bench/findings.md F2, F4).
 *
 * - Reports: each branch of need-to-know gets an index that returns its rows newest first, so a caller
 *   who may read few or no reports never walks the whole table (own agency: report_agency_created_idx,
 *   already there). Community TLP (CLEAR/GREEN, any agency): two small partial indexes, by date, and by
 *   classification then date (a caller cleared for little finds nothing at once). Shared with an
 *   agency: `report_share`, one row per code of `releasable_to`, kept by a trigger, whose primary key
 *   reads an agency's shares newest first. Extended statistics tell the planner that classification
 *   and TLP are not independent (UNCLASSIFIED is rarely CLEAR).
 * - Audit log: one GIN index over resource_id and resource_ids together (`?resourceId=` matches
 *   either) instead of a btree plus a GIN, and a BRIN index on `at` (it grows with seq) instead of a
 *   btree: two fewer btree insertions per chained event.
 */
export class ReadPaths1795909400000 implements MigrationInterface {
  name = 'ReadPaths1795909400000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX "report_community_idx" ON "report" ("classification", "created_at", "id") WHERE "tlp" IN ('CLEAR', 'GREEN') AND "purged_at" IS NULL`,
    );
    await q.query(
      `CREATE INDEX "report_community_recent_idx" ON "report" ("created_at", "id") WHERE "tlp" IN ('CLEAR', 'GREEN') AND "purged_at" IS NULL`,
    );
    await q.query(`CREATE STATISTICS "report_marking_stats" (mcv) ON "classification", "tlp" FROM "report"`);

    await q.query(
      `CREATE TABLE "report_share" ("agency_code" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "report_id" uuid NOT NULL, CONSTRAINT "PK_ee9c9471e6601721e7b53953595" PRIMARY KEY ("agency_code", "created_at", "report_id"))`,
    );
    await q.query(
      `ALTER TABLE "report_share" ADD CONSTRAINT "FK_report_share_report" FOREIGN KEY ("report_id") REFERENCES "report"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // The trigger keeps report_share equal to the unnested releasable_to of every report: on insert,
    // and when releasable_to or created_at change (retention's purge empties releasable_to).
    await q.query(`
      CREATE FUNCTION report_share_sync() RETURNS trigger LANGUAGE plpgsql AS $$
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
    await q.query(`INSERT INTO report_share (agency_code, created_at, report_id) SELECT DISTINCT unnest(releasable_to), created_at, id FROM report`);
    await q.query(`ANALYZE "report"`);
    await q.query(`ANALYZE "report_share"`);

    await q.query(`DROP INDEX "audit_event_resource_idx"`);
    await q.query(`DROP INDEX "audit_event_resource_ids_idx"`);
    await q.query(`CREATE INDEX "audit_event_resources_idx" ON "audit_event" USING GIN (array_append("resource_ids", "resource_id"))`);
    await q.query(`DROP INDEX "audit_event_at_idx"`);
    await q.query(`CREATE INDEX "audit_event_at_idx" ON "audit_event" USING BRIN ("at")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "audit_event_at_idx"`);
    await q.query(`CREATE INDEX "audit_event_at_idx" ON "audit_event" ("at")`);
    await q.query(`DROP INDEX "audit_event_resources_idx"`);
    await q.query(`CREATE INDEX "audit_event_resource_ids_idx" ON "audit_event" USING GIN ("resource_ids")`);
    await q.query(`CREATE INDEX "audit_event_resource_idx" ON "audit_event" ("resource_id")`);
    await q.query(`DROP TRIGGER report_share_sync ON report`);
    await q.query(`DROP FUNCTION report_share_sync()`);
    await q.query(`DROP TABLE "report_share"`);
    await q.query(`DROP STATISTICS "report_marking_stats"`);
    await q.query(`DROP INDEX "report_community_recent_idx"`);
    await q.query(`DROP INDEX "report_community_idx"`);
  }
}
