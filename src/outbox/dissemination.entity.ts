import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const DISSEMINATION_KINDS = ['ASSESSMENT', 'THREAT_LEVEL', 'ADMIN_NOTICE'] as const;
export type DisseminationKind = (typeof DISSEMINATION_KINDS)[number];
export const VARIANTS = ['FULL', 'TEARLINE', 'WITHHELD'] as const;
export type Variant = (typeof VARIANTS)[number];
export const DISSEMINATION_STATUSES = ['PENDING', 'QUEUED', 'DELIVERED', 'ACKNOWLEDGED', 'FAILED', 'WITHHELD'] as const;
export type DisseminationStatus = (typeof DISSEMINATION_STATUSES)[number];

/**
 * One piece of finished intelligence for one recipient agency: the outbox row written in the same
 * transaction as the publication (or threat-level change) that causes it. PostgreSQL is the system of
 * record; the queue only carries its id.
 */
@Entity('dissemination')
@Index('dissemination_assessment_agency_uq', ['assessmentId', 'agencyId'], { unique: true, where: `"assessment_id" IS NOT NULL` })
@Index('dissemination_threat_agency_uq', ['threatLevelChangeId', 'agencyId'], { unique: true, where: `"threat_level_change_id" IS NOT NULL` })
@Index('dissemination_open_idx', ['createdAt'], { where: `"status" IN ('PENDING','QUEUED')` })
@Index('dissemination_agency_idx', ['agencyId', 'createdAt'])
@Check('CHK_dissemination_status', `"status" IN ('PENDING','QUEUED','DELIVERED','ACKNOWLEDGED','FAILED','WITHHELD')`)
@Check('CHK_dissemination_variant', `"variant" IN ('FULL','TEARLINE','WITHHELD')`)
export class Dissemination {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  kind!: DisseminationKind;

  @Column({ name: 'assessment_id', type: 'uuid', nullable: true })
  assessmentId!: string | null;

  @Column({ name: 'threat_level_change_id', type: 'uuid', nullable: true })
  threatLevelChangeId!: string | null;

  @Column({ name: 'agency_id', type: 'uuid' })
  agencyId!: string;

  @Column({ name: 'agency_code', type: 'text' })
  agencyCode!: string;

  @Column({ type: 'text' })
  variant!: Variant;

  @Column({ type: 'text' })
  status!: DisseminationStatus;

  /** What the agency receives, fixed at publication: the record of who received what. */
  @Column({ type: 'jsonb', nullable: true })
  content!: Record<string, unknown> | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'queued_at', type: 'timestamptz', nullable: true })
  queuedAt!: Date | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt!: Date | null;

  @Column({ name: 'acknowledged_by', type: 'uuid', nullable: true })
  acknowledgedBy!: string | null;

  @Column({ name: 'failed_at', type: 'timestamptz', nullable: true })
  failedAt!: Date | null;
}

/**
 * How every audit event about a dissemination names it: the dissemination itself, and the assessment
 * (or threat-level change) and the recipient agency in `resourceIds`, so `?resourceId=` finds it by either.
 */
export function auditTrail(d: Pick<Dissemination, 'id'> & Partial<Pick<Dissemination, 'assessmentId' | 'threatLevelChangeId' | 'agencyId'>>) {
  return {
    resourceType: 'Dissemination',
    resourceId: d.id,
    resourceIds: [d.assessmentId ?? d.threatLevelChangeId ?? '', d.agencyId ?? ''].filter(Boolean),
  };
}
