import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Assessments, the threat-level history (append-only), and an index-only correlation lookup. */
export class Fusion1795901337214 implements MigrationInterface {
  name = 'Fusion1795901337214';

  async up(q: QueryRunner): Promise<void> {
    // (type, normalized, report_id): correlation counts and candidate sets are index-only range scans.
    await q.query(`DROP INDEX "public"."report_entity_lookup_idx"`);
    await q.query(`CREATE INDEX "report_entity_lookup_idx" ON "report_entity" ("type", "normalized", "report_id")`);

    await q.query(`
      CREATE TABLE "assessment" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "author_id" uuid NOT NULL,
        "status" text NOT NULL,
        "title" text NOT NULL,
        "key_judgements" text array NOT NULL,
        "body" text NOT NULL,
        "likelihood" text NOT NULL,
        "recommended_level" text NOT NULL,
        "scope" text NOT NULL,
        "region" text,
        "sectors" text array NOT NULL,
        "report_ids" uuid array NOT NULL,
        "classification" text NOT NULL,
        "compartments" text array NOT NULL,
        "tlp" text NOT NULL,
        "valid_until" timestamptz NOT NULL,
        "distribution_all" boolean NOT NULL,
        "distribution_codes" text array NOT NULL,
        "supersedes" uuid,
        "superseded_by" uuid,
        "superseded_at" timestamptz,
        "tearline_summary" text,
        "tearline_classification" text,
        "tearline_tlp" text,
        "submitted_at" timestamptz,
        "published_at" timestamptz,
        "published_by" uuid,
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL,
        CONSTRAINT "CHK_assessment_status" CHECK ("status" IN ('DRAFT','IN_REVIEW','PUBLISHED')),
        CONSTRAINT "PK_assessment" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "assessment_created_idx" ON "assessment" ("created_at", "id")`);
    await q.query(`CREATE INDEX "assessment_status_created_idx" ON "assessment" ("status", "created_at", "id")`);

    await q.query(`
      CREATE TABLE "threat_level_change" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "level" text NOT NULL,
        "since" timestamptz NOT NULL,
        "set_by" uuid,
        "justification" text NOT NULL,
        "assessment_ids" uuid array NOT NULL,
        CONSTRAINT "PK_threat_level_change" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "threat_level_since_idx" ON "threat_level_change" ("since")`);
    await q.query(`
      CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER threat_level_change_append_only BEFORE UPDATE OR DELETE ON "threat_level_change"
      FOR EACH ROW EXECUTE FUNCTION append_only()`);
    await q.query(`
      CREATE TRIGGER threat_level_change_no_truncate BEFORE TRUNCATE ON "threat_level_change"
      FOR EACH STATEMENT EXECUTE FUNCTION append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "threat_level_change"`);
    await q.query(`DROP FUNCTION append_only()`);
    await q.query(`DROP TABLE "assessment"`);
    await q.query(`DROP INDEX "public"."report_entity_lookup_idx"`);
    await q.query(`CREATE INDEX "report_entity_lookup_idx" ON "report_entity" ("type", "normalized")`);
  }
}
