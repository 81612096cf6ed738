import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { DisseminationKind, Variant } from '../outbox/dissemination.entity';

/**
 * An item in an agency's inbox. Its id is the dissemination's id, so a redelivered job can never
 * make a second item (the insert is ON CONFLICT DO NOTHING).
 */
@Entity('inbox_item')
@Index('inbox_agency_idx', ['agencyId', 'deliveredAt', 'id'])
export class InboxItem {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'agency_id', type: 'uuid' })
  agencyId!: string;

  @Column({ type: 'text' })
  kind!: DisseminationKind;

  @Column({ name: 'assessment_id', type: 'uuid', nullable: true })
  assessmentId!: string | null;

  @Column({ type: 'text' })
  variant!: Variant;

  @Column({ type: 'jsonb' })
  content!: Record<string, unknown>;

  @Column({ name: 'delivered_at', type: 'timestamptz' })
  deliveredAt!: Date;

  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt!: Date | null;

  @Column({ name: 'acknowledged_by', type: 'uuid', nullable: true })
  acknowledgedBy!: string | null;
}
