import type { MigrationInterface, QueryRunner } from "typeorm";

/** The dissemination outbox and agency inboxes. */
export class Dissemination1795901942710 implements MigrationInterface {
    name = 'Dissemination1795901942710'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "dissemination" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "kind" text NOT NULL, "assessment_id" uuid, "threat_level_change_id" uuid, "agency_id" uuid NOT NULL, "agency_code" text NOT NULL, "variant" text NOT NULL, "status" text NOT NULL, "content" jsonb, "attempts" integer NOT NULL DEFAULT '0', "last_error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "queued_at" TIMESTAMP WITH TIME ZONE, "delivered_at" TIMESTAMP WITH TIME ZONE, "acknowledged_at" TIMESTAMP WITH TIME ZONE, "acknowledged_by" uuid, "failed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "CHK_dissemination_variant" CHECK ("variant" IN ('FULL','TEARLINE','WITHHELD')), CONSTRAINT "CHK_dissemination_status" CHECK ("status" IN ('PENDING','QUEUED','DELIVERED','ACKNOWLEDGED','FAILED','WITHHELD')), CONSTRAINT "PK_9c88f21bab2e60ebba6427ec4b1" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "dissemination_agency_idx" ON "dissemination"  ("agency_id", "created_at") `);
        await queryRunner.query(`CREATE INDEX "dissemination_open_idx" ON "dissemination"  ("created_at") WHERE "status" IN ('PENDING','QUEUED')`);
        await queryRunner.query(`CREATE UNIQUE INDEX "dissemination_threat_agency_uq" ON "dissemination"  ("threat_level_change_id", "agency_id") WHERE "threat_level_change_id" IS NOT NULL`);
        await queryRunner.query(`CREATE UNIQUE INDEX "dissemination_assessment_agency_uq" ON "dissemination"  ("assessment_id", "agency_id") WHERE "assessment_id" IS NOT NULL`);
        await queryRunner.query(`CREATE TABLE "inbox_item" ("id" uuid NOT NULL, "agency_id" uuid NOT NULL, "kind" text NOT NULL, "assessment_id" uuid, "variant" text NOT NULL, "content" jsonb NOT NULL, "delivered_at" TIMESTAMP WITH TIME ZONE NOT NULL, "acknowledged_at" TIMESTAMP WITH TIME ZONE, "acknowledged_by" uuid, CONSTRAINT "PK_f74da943023d12441cae308b77a" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "inbox_agency_idx" ON "inbox_item"  ("agency_id", "delivered_at", "id") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."inbox_agency_idx"`);
        await queryRunner.query(`DROP TABLE "inbox_item"`);
        await queryRunner.query(`DROP INDEX "public"."dissemination_assessment_agency_uq"`);
        await queryRunner.query(`DROP INDEX "public"."dissemination_threat_agency_uq"`);
        await queryRunner.query(`DROP INDEX "public"."dissemination_open_idx"`);
        await queryRunner.query(`DROP INDEX "public"."dissemination_agency_idx"`);
        await queryRunner.query(`DROP TABLE "dissemination"`);
    }

}
