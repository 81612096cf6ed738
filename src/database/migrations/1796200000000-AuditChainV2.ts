import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The content columns of an audit event, shared by audit_pending and audit_event (compared by the DELETE guard). */
const CONTENT = ['at', 'actor_id', 'agency_id', 'action', 'resource_type', 'resource_id', 'resource_ids', 'outcome', 'reason', 'request_id', 'client_request_id', 'details'];

/**
 * Issue 18 item 5 and 6: the last gaps of the audit log.
 *
 * - `client_request_id` on both tables: the client's X-Request-Id, kept beside the system's own id.
 * - `audit_event.canon`: the canonical form an event was hashed with. Existing events keep 1 (the
 *   column's default, so nothing is rewritten); the chainer writes 2 (`at` to the microsecond,
 *   `clientRequestId`). Verification refuses a v1 event after a v2 one (no downgrade).
 * - `audit_event.pending_id`: the audit_pending row an event was chained from (unique).
 * - audit_pending is append-only too: UPDATE and TRUNCATE refused; DELETE only of a row whose exact
 *   copy is already chained (an audit_event row with its pending_id and the same content). So a
 *   pending event cannot be rewritten before it is chained, even by whoever holds the chainer's lock.
 * - `audit_signing_key`: every public key the API and worker sign head receipts with (append-only), so
 *   any process verifies another's receipts.
 */
export class AuditChainV21796200000000 implements MigrationInterface {
  name = 'AuditChainV21796200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "audit_pending" ADD "client_request_id" text`);
    await q.query(`ALTER TABLE "audit_event" ADD "client_request_id" text`);
    await q.query(`ALTER TABLE "audit_event" ADD "canon" smallint NOT NULL DEFAULT 1`);
    await q.query(`ALTER TABLE "audit_event" ADD CONSTRAINT "CHK_audit_event_canon" CHECK ("canon" IN (1, 2))`);
    await q.query(`ALTER TABLE "audit_event" ADD "pending_id" bigint`);
    await q.query(`CREATE UNIQUE INDEX "audit_event_pending_idx" ON "audit_event" ("pending_id") WHERE "pending_id" IS NOT NULL`);

    await q.query(`
      CREATE FUNCTION audit_pending_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          IF EXISTS (SELECT 1 FROM audit_event e WHERE e.pending_id = OLD.id
                       AND (${CONTENT.map((c) => `e.${c}`).join(', ')}) IS NOT DISTINCT FROM (${CONTENT.map((c) => `OLD.${c}`).join(', ')})) THEN
            RETURN OLD;
          END IF;
          RAISE EXCEPTION 'audit_pending: event % is not chained; DELETE refused', OLD.id USING ERRCODE = 'insufficient_privilege';
        END IF;
        RAISE EXCEPTION 'audit_pending is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_pending_no_update_delete BEFORE UPDATE OR DELETE ON "audit_pending"
      FOR EACH ROW EXECUTE FUNCTION audit_pending_guard()`);
    await q.query(`
      CREATE TRIGGER audit_pending_no_truncate BEFORE TRUNCATE ON "audit_pending"
      FOR EACH STATEMENT EXECUTE FUNCTION audit_pending_guard()`);

    await q.query(`
      CREATE TABLE "audit_signing_key" (
        "key_id" char(16) NOT NULL,
        "algorithm" text NOT NULL DEFAULT 'Ed25519',
        "public_key" text NOT NULL,
        "recorded_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_audit_signing_key" PRIMARY KEY ("key_id")
      )`);
    await q.query(`
      CREATE FUNCTION audit_signing_key_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_signing_key is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_signing_key_no_update_delete BEFORE UPDATE OR DELETE ON "audit_signing_key"
      FOR EACH ROW EXECUTE FUNCTION audit_signing_key_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_signing_key_no_truncate BEFORE TRUNCATE ON "audit_signing_key"
      FOR EACH STATEMENT EXECUTE FUNCTION audit_signing_key_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "audit_signing_key"`);
    await q.query(`DROP FUNCTION audit_signing_key_append_only()`);
    await q.query(`DROP TRIGGER audit_pending_no_truncate ON "audit_pending"`);
    await q.query(`DROP TRIGGER audit_pending_no_update_delete ON "audit_pending"`);
    await q.query(`DROP FUNCTION audit_pending_guard()`);
    await q.query(`DROP INDEX "audit_event_pending_idx"`);
    // ALTER TABLE … DROP COLUMN fires no row trigger: the append-only audit_event keeps its rows.
    await q.query(`ALTER TABLE "audit_event" DROP COLUMN "pending_id"`);
    await q.query(`ALTER TABLE "audit_event" DROP CONSTRAINT "CHK_audit_event_canon"`);
    await q.query(`ALTER TABLE "audit_event" DROP COLUMN "canon"`);
    await q.query(`ALTER TABLE "audit_event" DROP COLUMN "client_request_id"`);
    await q.query(`ALTER TABLE "audit_pending" DROP COLUMN "client_request_id"`);
  }
}
