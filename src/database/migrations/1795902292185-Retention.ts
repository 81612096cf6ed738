import type { MigrationInterface, QueryRunner } from "typeorm";

/** Retention: tombstones of purged reports, and the index the purge scans. */
export class Retention1795902292185 implements MigrationInterface {
    name = 'Retention1795902292185'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "report" ADD "purged_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`CREATE INDEX "report_review_due_idx" ON "report"  ("review_due_at") WHERE "purged_at" IS NULL`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."report_review_due_idx"`);
        await queryRunner.query(`ALTER TABLE "report" DROP COLUMN "purged_at"`);
    }

}
