import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const ADMIN_CHANGE_KINDS = ['USER_CREATE', 'USER_UPDATE', 'AGENCY_WEBHOOK'] as const;
export type AdminChangeKind = (typeof ADMIN_CHANGE_KINDS)[number];
export const ADMIN_CHANGE_STATUSES = ['PENDING_APPROVAL', 'APPLIED', 'REJECTED', 'EXPIRED'] as const;
export type AdminChangeStatus = (typeof ADMIN_CHANGE_STATUSES)[number];

/**
 * A sensitive change one ADMIN asked for, waiting for a second (SPEC S1 "Four eyes on administration").
 * `request` is the validated request without its secrets: a password is kept only as its hash, a
 * webhook secret the requester gave only in `webhook_secret`; neither is ever returned.
 */
@Entity('admin_change')
@Index('IDX_admin_change_requested', ['requestedAt', 'id'])
@Index('IDX_admin_change_status_requested', ['status', 'requestedAt', 'id'])
@Check('CHK_admin_change_kind', `"kind" IN ('USER_CREATE','USER_UPDATE','AGENCY_WEBHOOK')`)
@Check('CHK_admin_change_status', `"status" IN ('PENDING_APPROVAL','APPLIED','REJECTED','EXPIRED')`)
@Check('CHK_admin_change_decided', `("status" = 'PENDING_APPROVAL') = ("decided_at" IS NULL)`)
export class AdminChange {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  kind!: AdminChangeKind;

  /** The user changed (USER_UPDATE) or the agency (AGENCY_WEBHOOK); null for USER_CREATE until applied. */
  @Column({ name: 'target_id', type: 'uuid', nullable: true })
  targetId!: string | null;

  /** The agency affected: it gets the ADMIN_NOTICE when the change is applied. */
  @Column({ name: 'agency_id', type: 'uuid' })
  agencyId!: string;

  @Column({ type: 'jsonb' })
  request!: Record<string, unknown>;

  @Column({ name: 'password_hash', type: 'text', nullable: true, select: false })
  passwordHash!: string | null;

  @Column({ name: 'webhook_secret', type: 'text', nullable: true, select: false })
  webhookSecret!: string | null;

  @Column({ type: 'text' })
  status!: AdminChangeStatus;

  @Column({ name: 'requested_by', type: 'uuid' })
  requestedBy!: string;

  @Column({ name: 'requested_at', type: 'timestamptz', default: () => 'now()' })
  requestedAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'decided_by', type: 'uuid', nullable: true })
  decidedBy!: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;
}
