import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Agencies, users, reports with their entities, idempotency keys, login failures and the audit log. */
export class Foundation1764360000000 implements MigrationInterface {
  name = 'Foundation1764360000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);

    await q.query(`
      CREATE TABLE "agency" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "code" text NOT NULL,
        "name" text NOT NULL,
        "kind" text NOT NULL,
        "accreditation" text NOT NULL,
        "active" boolean NOT NULL DEFAULT true,
        "webhook_url" text,
        "webhook_secret" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_agency" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_agency_code" UNIQUE ("code"),
        CONSTRAINT "CHK_agency_kind" CHECK ("kind" IN ('FUSION_CELL','POLICE','SECURITY_SERVICE','CUSTOMS','BORDER','MILITARY','PUBLIC_HEALTH','EMERGENCY_MANAGEMENT','FOREIGN_PARTNER','OTHER')),
        CONSTRAINT "CHK_agency_accreditation" CHECK ("accreditation" IN ('UNCLASSIFIED','RESTRICTED','CONFIDENTIAL','SECRET','TOP_SECRET'))
      )`);
    // Exactly one fusion cell.
    await q.query(`CREATE UNIQUE INDEX "agency_one_fusion_cell" ON "agency" ("kind") WHERE "kind" = 'FUSION_CELL'`);

    await q.query(`
      CREATE TABLE "app_user" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "username" text NOT NULL,
        "password_hash" text NOT NULL,
        "agency_id" uuid NOT NULL,
        "roles" text array NOT NULL,
        "clearance" text NOT NULL,
        "compartments" text array NOT NULL DEFAULT '{}',
        "active" boolean NOT NULL DEFAULT true,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_app_user" PRIMARY KEY ("id"),
        CONSTRAINT "FK_app_user_agency" FOREIGN KEY ("agency_id") REFERENCES "agency"("id") ON DELETE RESTRICT,
        CONSTRAINT "CHK_app_user_clearance" CHECK ("clearance" IN ('UNCLASSIFIED','RESTRICTED','CONFIDENTIAL','SECRET','TOP_SECRET'))
      )`);
    await q.query(`CREATE UNIQUE INDEX "IDX_app_user_username" ON "app_user" ("username")`);

    await q.query(`
      CREATE TABLE "login_failure" (
        "id" bigserial NOT NULL,
        "username" text NOT NULL,
        "client_ip" text NOT NULL,
        "at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_login_failure" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "IDX_login_failure_user_ip_at" ON "login_failure" ("username", "client_ip", "at")`);
    await q.query(`CREATE INDEX "IDX_login_failure_ip_at" ON "login_failure" ("client_ip", "at")`);

    await q.query(`
      CREATE TABLE "report" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "agency_id" uuid NOT NULL,
        "created_by" uuid NOT NULL,
        "title" text NOT NULL,
        "narrative" text NOT NULL,
        "category" text NOT NULL,
        "occurred_at" timestamptz NOT NULL,
        "location" jsonb,
        "source_reliability" text NOT NULL,
        "information_credibility" smallint NOT NULL,
        "classification" text NOT NULL,
        "compartments" text array NOT NULL,
        "tlp" text NOT NULL,
        "releasable_to" text array NOT NULL,
        "source_description" text,
        "suspicion_basis" text NOT NULL,
        "review_due_at" timestamptz NOT NULL,
        "validated_at" timestamptz,
        "created_at" timestamptz NOT NULL,
        "search_vector" tsvector GENERATED ALWAYS AS (to_tsvector('english', title || ' ' || narrative)) STORED,
        CONSTRAINT "PK_report" PRIMARY KEY ("id"),
        CONSTRAINT "FK_report_agency" FOREIGN KEY ("agency_id") REFERENCES "agency"("id") ON DELETE RESTRICT,
        CONSTRAINT "FK_report_created_by" FOREIGN KEY ("created_by") REFERENCES "app_user"("id") ON DELETE RESTRICT,
        CONSTRAINT "CHK_report_classification" CHECK ("classification" IN ('UNCLASSIFIED','RESTRICTED','CONFIDENTIAL','SECRET','TOP_SECRET')),
        CONSTRAINT "CHK_report_tlp" CHECK ("tlp" IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')),
        CONSTRAINT "CHK_report_grading" CHECK ("source_reliability" IN ('A','B','C','D','E','F') AND "information_credibility" BETWEEN 1 AND 6)
      )`);
    // TypeORM records generated-column expressions here to compare them with the entities.
    await q.query(`
      CREATE TABLE IF NOT EXISTS "typeorm_metadata" (
        "type" varchar NOT NULL, "database" varchar, "schema" varchar, "table" varchar, "name" varchar, "value" text
      )`);
    await q.query(
      `INSERT INTO "typeorm_metadata" ("database", "schema", "table", "type", "name", "value")
       VALUES (current_database(), 'public', 'report', 'GENERATED_COLUMN', 'search_vector', $1)`,
      [`to_tsvector('english', title || ' ' || narrative)`],
    );
    await q.query(`CREATE INDEX "report_created_idx" ON "report" ("created_at", "id")`);
    await q.query(`CREATE INDEX "report_agency_created_idx" ON "report" ("agency_id", "created_at", "id")`);
    await q.query(`CREATE INDEX "report_search_idx" ON "report" USING GIN ("search_vector")`);
    await q.query(`CREATE INDEX "report_releasable_idx" ON "report" USING GIN ("releasable_to")`);

    await q.query(`
      CREATE TABLE "report_entity" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "report_id" uuid NOT NULL,
        "type" text NOT NULL,
        "value" text NOT NULL,
        "normalized" text NOT NULL,
        CONSTRAINT "PK_report_entity" PRIMARY KEY ("id"),
        CONSTRAINT "FK_report_entity_report" FOREIGN KEY ("report_id") REFERENCES "report"("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "report_entity_lookup_idx" ON "report_entity" ("type", "normalized")`);
    await q.query(`CREATE INDEX "report_entity_report_idx" ON "report_entity" ("report_id")`);

    await q.query(`
      CREATE TABLE "idempotency_key" (
        "user_id" uuid NOT NULL,
        "key" text NOT NULL,
        "request_hash" text NOT NULL,
        "status_code" integer,
        "response" jsonb,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_idempotency_key" PRIMARY KEY ("user_id", "key")
      )`);

    const auditColumns = `
        "at" timestamptz NOT NULL,
        "actor_id" uuid,
        "agency_id" uuid,
        "action" text NOT NULL,
        "resource_type" text,
        "resource_id" text,
        "resource_ids" text array NOT NULL DEFAULT '{}',
        "outcome" text NOT NULL,
        "reason" text,
        "request_id" text,
        "details" jsonb`;
    await q.query(`
      CREATE TABLE "audit_pending" (
        "id" bigserial NOT NULL,${auditColumns},
        CONSTRAINT "PK_audit_pending" PRIMARY KEY ("id"),
        CONSTRAINT "CHK_audit_pending_outcome" CHECK ("outcome" IN ('ALLOWED','DENIED','FAILED'))
      )`);
    await q.query(`
      CREATE TABLE "audit_event" (
        "seq" bigint NOT NULL,${auditColumns},
        "prev_hash" char(64) NOT NULL,
        "hash" char(64) NOT NULL,
        CONSTRAINT "PK_audit_event" PRIMARY KEY ("seq"),
        CONSTRAINT "CHK_audit_event_outcome" CHECK ("outcome" IN ('ALLOWED','DENIED','FAILED'))
      )`);
    await q.query(`CREATE INDEX "audit_event_resource_idx" ON "audit_event" ("resource_id")`);
    await q.query(`CREATE INDEX "audit_event_resource_ids_idx" ON "audit_event" USING GIN ("resource_ids")`);
    await q.query(`CREATE INDEX "audit_event_actor_idx" ON "audit_event" ("actor_id", "seq")`);
    await q.query(`CREATE INDEX "audit_event_agency_idx" ON "audit_event" ("agency_id", "seq")`);
    await q.query(`CREATE INDEX "audit_event_action_idx" ON "audit_event" ("action", "seq")`);
    await q.query(`CREATE INDEX "audit_event_at_idx" ON "audit_event" ("at")`);

    // Append-only: refuse UPDATE, DELETE and TRUNCATE, whoever asks (table owner included).
    await q.query(`
      CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_event_no_update_delete BEFORE UPDATE OR DELETE ON "audit_event"
      FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON "audit_event"
      FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "audit_event"`);
    await q.query(`DROP FUNCTION audit_event_append_only()`);
    await q.query(`DROP TABLE "audit_pending"`);
    await q.query(`DROP TABLE "idempotency_key"`);
    await q.query(`DROP TABLE "report_entity"`);
    await q.query(`DELETE FROM "typeorm_metadata" WHERE "table" = 'report' AND "name" = 'search_vector'`);
    await q.query(`DROP TABLE "report"`);
    await q.query(`DROP TABLE "login_failure"`);
    await q.query(`DROP TABLE "app_user"`);
    await q.query(`DROP TABLE "agency"`);
  }
}
