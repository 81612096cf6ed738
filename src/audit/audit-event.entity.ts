import { Check, Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

export const AUDIT_OUTCOMES = ['ALLOWED', 'DENIED', 'FAILED'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** Columns shared by the pending queue and the chained log. */
export abstract class AuditRecord {
  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId!: string | null;

  @Column({ name: 'agency_id', type: 'uuid', nullable: true })
  agencyId!: string | null;

  /** `<resource>.<verb>`, e.g. `report.read`. */
  @Column({ type: 'text' })
  action!: string;

  @Column({ name: 'resource_type', type: 'text', nullable: true })
  resourceType!: string | null;

  @Column({ name: 'resource_id', type: 'text', nullable: true })
  resourceId!: string | null;

  /** Every item a list or search returned, so "who saw X" finds list views too. */
  @Column({ name: 'resource_ids', type: 'text', array: true, default: () => "'{}'" })
  resourceIds!: string[];

  @Column({ type: 'text' })
  outcome!: AuditOutcome;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  /** The system's own id of the request (a UUID it made), or `(name)` for the system's own work. */
  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  /** The X-Request-Id the client sent, kept beside the system's id (never used as it). */
  @Column({ name: 'client_request_id', type: 'text', nullable: true })
  clientRequestId!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  details!: Record<string, unknown> | null;
}

/**
 * The append-only, hash-chained audit log. The database refuses UPDATE, DELETE and TRUNCATE on it
 * (trigger in the migration); rows arrive only through the chainer (audit.service.ts).
 */
@Entity('audit_event')
@Check('CHK_audit_event_outcome', `"outcome" IN ('ALLOWED','DENIED','FAILED')`)
@Check('CHK_audit_event_canon', `"canon" IN (1, 2)`)
// GIN over array_append(resource_ids, resource_id), and BRIN on `at`: created by the ReadPaths migration.
@Index('audit_event_resources_idx', { synchronize: false })
@Index('audit_event_actor_idx', ['actorId', 'seq'])
@Index('audit_event_agency_idx', ['agencyId', 'seq'])
@Index('audit_event_action_idx', ['action', 'seq'])
@Index('audit_event_at_idx', { synchronize: false })
export class AuditEvent extends AuditRecord {
  @PrimaryColumn({ type: 'bigint' })
  seq!: string;

  @Column({ name: 'prev_hash', type: 'char', length: 64 })
  prevHash!: string;

  @Column({ type: 'char', length: 64 })
  hash!: string;

  /** `at` exactly as stored (microseconds, UTC), when the query selected it (AuditService.search). */
  atText?: string;

  /** The canonical form the hash covers (canonical.ts): 1 before the AuditChainV2 migration, 2 since. */
  @Column({ type: 'smallint', default: 1 })
  canon!: number;

  /** The audit_pending row this event was chained from (its DELETE guard checks the copy). */
  @Index('audit_event_pending_idx', { synchronize: false })
  @Column({ name: 'pending_id', type: 'bigint', nullable: true })
  pendingId!: string | null;
}

/**
 * Events written in the same transaction as the change they record, waiting to be chained. The
 * chainer moves them into `audit_event` in commit order, in batches, under a short advisory lock.
 */
@Entity('audit_pending')
@Check('CHK_audit_pending_outcome', `"outcome" IN ('ALLOWED','DENIED','FAILED')`)
export class AuditPending extends AuditRecord {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;
}
