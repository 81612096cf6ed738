import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Four eyes on administration (SPEC S1): a sensitive change an ADMIN asks for waits in `admin_change`
 * for a second ADMIN. A user's `token_version` is carried in their tokens (a password change bumps it,
 * revoking the older ones); `password_change_required` marks a password an ADMIN reset (temporary).
 */
export class FourEyes1796400000000 implements MigrationInterface {
  name = 'FourEyes1796400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "app_user" ADD "token_version" integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE "app_user" ADD "password_change_required" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`CREATE TABLE "admin_change" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "kind" text NOT NULL,
      "target_id" uuid,
      "agency_id" uuid NOT NULL,
      "request" jsonb NOT NULL,
      "password_hash" text,
      "webhook_secret" text,
      "status" text NOT NULL,
      "requested_by" uuid NOT NULL,
      "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "decided_by" uuid,
      "decided_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "CHK_admin_change_kind" CHECK ("kind" IN ('USER_CREATE','USER_UPDATE','AGENCY_WEBHOOK')),
      CONSTRAINT "CHK_admin_change_status" CHECK ("status" IN ('PENDING_APPROVAL','APPLIED','REJECTED','EXPIRED')),
      CONSTRAINT "CHK_admin_change_decided" CHECK (("status" = 'PENDING_APPROVAL') = ("decided_at" IS NULL)),
      CONSTRAINT "FK_admin_change_requested_by" FOREIGN KEY ("requested_by") REFERENCES "app_user"("id") ON DELETE RESTRICT,
      CONSTRAINT "FK_admin_change_decided_by" FOREIGN KEY ("decided_by") REFERENCES "app_user"("id") ON DELETE RESTRICT,
      CONSTRAINT "PK_admin_change" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_admin_change_requested" ON "admin_change" ("requested_at", "id")`);
    await queryRunner.query(`CREATE INDEX "IDX_admin_change_status_requested" ON "admin_change" ("status", "requested_at", "id")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "admin_change"`);
    await queryRunner.query(`ALTER TABLE "app_user" DROP COLUMN "password_change_required"`);
    await queryRunner.query(`ALTER TABLE "app_user" DROP COLUMN "token_version"`);
  }
}
